package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func sizedTag(name, digest string, size int64) swr.Tag {
	return swr.Tag{Tag: name, Digest: digest, Size: size}
}

// The hand-computed seed: what each deletion frees, and why.
func TestFreedBytesSharedDigests(t *testing.T) {
	tags := []swr.Tag{
		sizedTag("a", "sha256:d1", 100), // deleted, but kept b holds its image: 0
		sizedTag("b", "sha256:d1", 100), // kept
		sizedTag("c", "sha256:d2", 200), // deleted alone: 200
		sizedTag("d", "sha256:d3", 300), // deleted, kept f holds its image: 0
		sizedTag("e", "", 50),           // no digest: an image of its own, 50
		sizedTag("f", "sha256:d3", 300), // kept
		sizedTag("g", "sha256:d4", 400), // g and h are one image, both deleted: 400 once
		sizedTag("h", "sha256:d4", 400),
		sizedTag("i", "", 70), // kept, no digest: holds nothing else
	}
	got := FreedBytes(tags, []string{"a", "c", "d", "e", "g", "h", "missing"}, []string{"b", "f", "i"})
	assert.Equal(t, int64(200+50+400), got)

	assert.Equal(t, int64(0), FreedBytes(tags, nil, []string{"a"}))
	assert.Equal(t, int64(100), FreedBytes(tags, []string{"a", "b"}, nil), "one image under two names")
	assert.Equal(t, int64(0), FreedBytes(tags, []string{"a"}, []string{"b"}))
}

// An uncertain tag may stay, so it holds its image; what it would free
// if SWR deletes it is reported beside.
func TestSetFreedBytesWithUncertainTags(t *testing.T) {
	tags := []swr.Tag{
		sizedTag("a", "sha256:d1", 100), // deleted; uncertain b holds the same image: 0, or 100 if b goes
		sizedTag("b", "sha256:d1", 100), // uncertain
		sizedTag("c", "sha256:d2", 200), // uncertain alone: 200 if it goes
		sizedTag("d", "sha256:d3", 300), // kept
		sizedTag("e", "", 50),           // deleted: 50
	}
	impact := report.Impact{TotalTags: 5, Keep: []string{"d"}, Delete: []string{"a", "e"},
		Uncertain: []report.UncertainTag{{Tag: "b"}, {Tag: "c"}}}
	SetFreedBytes(&impact, tags)
	assert.Equal(t, int64(50), impact.FreedBytes)
	assert.Equal(t, int64(100+200), impact.UncertainFreedBytes)
	assert.Equal(t, []string{"a", "e"}, impact.Delete, "the lists are left alone")
	assert.Equal(t, []string{"d"}, impact.Keep)
}
