package report

import (
	"cmp"
	"fmt"
	"slices"
)

// Storage totals what a report's retention writes do to tags and storage,
// per namespace and in all. Only writes that were applied or are planned
// count: a refused or failed write deletes nothing.
type Storage struct {
	Namespaces []StorageTotals `json:"namespaces"`
	Total      StorageTotals   `json:"total"`
}

// StorageTotals counts the tags that retention writes keep, delete, and
// may delete (uncertain: deleted under some readings of SWR's semantics),
// and the bytes they free. FreedBytes and UncertainFreedBytes are upper
// bounds (Impact.FreedBytes, Impact.UncertainFreedBytes).
type StorageTotals struct {
	Namespace           string `json:"namespace,omitempty"`
	Repositories        int    `json:"repositories"`
	KeptTags            int    `json:"kept_tags"`
	DeletedTags         int    `json:"deleted_tags"`
	UncertainTags       int    `json:"uncertain_tags"`
	FreedBytes          int64  `json:"freed_bytes_upper_bound"`
	UncertainFreedBytes int64  `json:"uncertain_freed_bytes_upper_bound"`
}

// Tags is how many tags the totals cover.
func (t StorageTotals) Tags() int { return t.KeptTags + t.DeletedTags + t.UncertainTags }

func (t *StorageTotals) add(i *Impact) {
	t.Repositories++
	t.KeptTags += i.Keeps()
	t.DeletedTags += i.Deletes()
	t.UncertainTags += i.Uncertains()
	t.FreedBytes += i.FreedBytes
	t.UncertainFreedBytes += i.UncertainFreedBytes
}

// Freed renders the bytes freed as Impact.Freed does.
func (t StorageTotals) Freed() string {
	return Impact{FreedBytes: t.FreedBytes, UncertainFreedBytes: t.UncertainFreedBytes}.Freed()
}

// summary says what the totals delete and free, in one sentence.
func (t StorageTotals) summary() string {
	s := fmt.Sprintf("retention deletes %d of %d tags in %d repositories", t.DeletedTags, t.Tags(), t.Repositories)
	if t.UncertainTags > 0 {
		s += fmt.Sprintf(" and may delete %d more (uncertain)", t.UncertainTags)
	}
	return s + ", freeing at most " + t.Freed() + " (an upper bound: images share layers)"
}

// StorageOf totals the impacts of changes by namespace ("target:namespace"
// for changes of a named target), ordered by name; nil when no applied or
// planned change carries an impact.
func StorageOf(changes []Change) *Storage {
	byNS := map[string]*StorageTotals{}
	var s Storage
	for _, c := range changes {
		if c.Impact == nil || (c.Status != StatusApplied && c.Status != StatusPlanned) {
			continue
		}
		ns := inTarget(c.Target, c.Namespace)
		t := byNS[ns]
		if t == nil {
			t = &StorageTotals{Namespace: ns}
			byNS[ns] = t
		}
		t.add(c.Impact)
		s.Total.add(c.Impact)
	}
	if len(byNS) == 0 {
		return nil
	}
	for _, t := range byNS {
		s.Namespaces = append(s.Namespaces, *t)
	}
	slices.SortFunc(s.Namespaces, func(a, b StorageTotals) int { return cmp.Compare(a.Namespace, b.Namespace) })
	return &s
}

// FormatBytes renders n in binary units: "512 B", "20.5 MiB", "1.2 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit && exp < 5; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
