package plan

import (
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// SetFreedBytes sets what impact frees from tags, the listing it was
// simulated over (FreedBytes): FreedBytes for the tags deleted under every
// reading, an uncertain tag counting as kept (it may hold an image), and
// UncertainFreedBytes for what the uncertain tags would free on top if
// SWR deleted them too.
func SetFreedBytes(impact *report.Impact, tags []swr.Tag) {
	uncertain := make([]string, len(impact.Uncertain))
	for i, u := range impact.Uncertain {
		uncertain[i] = u.Tag
	}
	impact.FreedBytes = FreedBytes(tags, impact.Delete, append(slices.Clone(impact.Keep), uncertain...))
	impact.UncertainFreedBytes = FreedBytes(tags, append(slices.Clone(impact.Delete), uncertain...), impact.Keep) - impact.FreedBytes
}

// FreedBytes returns the bytes that deleting the tags named in deleted
// frees, from the sizes in tags (the repository's listing):
//   - tags are images by digest: an image deleted under several names
//     counts once;
//   - an image that a tag named in kept also holds frees nothing;
//   - a tag without a digest is an image of its own.
//
// Names missing from tags count nothing. The figure is an upper bound:
// images share layers, which SWR frees only when no image holds them.
func FreedBytes(tags []swr.Tag, deleted, kept []string) int64 {
	if len(deleted) == 0 {
		return 0
	}
	// image identifies a tag's image: its digest, or the tag itself.
	type image struct{ digest, tag string }
	byName := make(map[string]int, len(tags))
	for i := range tags {
		byName[tags[i].Tag] = i
	}
	imageOf := func(t *swr.Tag) image {
		if t.Digest == "" {
			return image{tag: t.Tag}
		}
		return image{digest: t.Digest}
	}
	held := make(map[image]bool, len(kept)+len(deleted))
	for _, name := range kept {
		if i, ok := byName[name]; ok {
			held[imageOf(&tags[i])] = true
		}
	}
	var freed int64
	for _, name := range deleted {
		i, ok := byName[name]
		if !ok {
			continue
		}
		img := imageOf(&tags[i])
		if held[img] {
			continue
		}
		held[img] = true // count each image once
		freed += max(tags[i].Size, 0)
	}
	return freed
}
