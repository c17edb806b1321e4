package plan

import "github.com/swr-autopilot/swr-autopilot/pkg/swr"

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
	byName := make(map[string]swr.Tag, len(tags))
	for _, t := range tags {
		byName[t.Tag] = t
	}
	image := func(t swr.Tag) string {
		if t.Digest == "" {
			return "tag:" + t.Tag
		}
		return t.Digest
	}
	held := map[string]bool{}
	for _, name := range kept {
		if t, ok := byName[name]; ok {
			held[image(t)] = true
		}
	}
	var freed int64
	for _, name := range deleted {
		t, ok := byName[name]
		if !ok || held[image(t)] {
			continue
		}
		held[image(t)] = true // count each image once
		freed += max(t.Size, 0)
	}
	return freed
}
