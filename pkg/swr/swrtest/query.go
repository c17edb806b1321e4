package swrtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Paging limits of the v2 list calls (swr-api.md §1.7), the client's.
const (
	DefaultPageSize = swr.DefaultPageSize
	MaxPageSize     = swr.MaxPageSize
)

// listParams are the parameters of a list call, taken either from the
// filter= parameter or, when it is absent, from the plain parameters.
type listParams struct {
	values     map[string]string
	fromFilter bool
}

func (p listParams) get(k string) string { return p.values[k] }

func (p listParams) has(k string) bool { _, ok := p.values[k]; return ok }

// parseListParams reads the keys in allowed. When filter= is present it
// wins: the plain parameters are ignored and every filter key must be
// allowed.
func parseListParams(q url.Values, allowed ...string) (listParams, *apiError) {
	p := listParams{values: map[string]string{}}
	if q.Has("filter") {
		p.fromFilter = true
		for pair := range strings.SplitSeq(q.Get("filter"), "|") {
			if pair == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, "::")
			if !ok || !contains(allowed, k) {
				return p, swrError(http.StatusBadRequest, CodeInvalidFilter, fmt.Sprintf("invalid filter %q", pair))
			}
			p.values[k] = v
		}
		return p, nil
	}
	for _, k := range allowed {
		if q.Has(k) {
			p.values[k] = q.Get(k)
		}
	}
	return p, nil
}

// page is an offset/limit window; all means no window was asked for.
type page struct {
	offset, limit int
	all           bool
}

// parsePage reads offset and limit, which must come together, the offset
// a multiple of the limit (0 included). Without
// them the call returns everything when allWhenAbsent, else the first
// DefaultPageSize items.
func parsePage(p listParams, allWhenAbsent bool) (page, *apiError) {
	hasOff, hasLim := p.has("offset"), p.has("limit")
	switch {
	case !hasOff && !hasLim:
		if allWhenAbsent {
			return page{all: true}, nil
		}
		return page{limit: DefaultPageSize}, nil
	case hasOff != hasLim:
		return page{}, badParams("offset and limit must be used together")
	}
	limit, err := strconv.Atoi(p.get("limit"))
	if err != nil || limit < 1 || limit > MaxPageSize {
		return page{}, swrError(http.StatusBadRequest, CodeInvalidPageSize, fmt.Sprintf("invalid page size %q: limit must be 1..%d", p.get("limit"), MaxPageSize))
	}
	offset, err := strconv.Atoi(p.get("offset"))
	if err != nil || offset < 0 {
		return page{}, badParams(fmt.Sprintf("invalid offset %q", p.get("offset")))
	}
	if offset%limit != 0 {
		// One regional edition of the docs requires it; real SWR may
		// refuse or misplace any other offset (swr-api.md §1.7).
		return page{}, badParams(fmt.Sprintf("invalid offset %d: must be 0 or a multiple of limit %d", offset, limit))
	}
	return page{offset: offset, limit: limit}, nil
}

// window returns the half-open index range of the page within total items.
func (pg page) window(total int) (lo, hi int) {
	if pg.all {
		return 0, total
	}
	lo = min(pg.offset, total)
	return lo, min(total, lo+pg.limit)
}

// setContentRange writes the documented "<offset>-<count>/<total>" header,
// count being the number of items on the page.
func setContentRange(w http.ResponseWriter, offset, count, total int) {
	w.Header().Set("Content-Range", fmt.Sprintf("%d-%d/%d", offset, count, total))
}

// parseOrder reads order_column and order_type, which go together.
// columns maps accepted column names to their canonical name.
func parseOrder(p listParams, columns map[string]string) (column string, desc bool, e *apiError) {
	col, typ := p.get("order_column"), p.get("order_type")
	if col == "" && typ == "" {
		return "", false, nil
	}
	canon, ok := columns[col]
	if !ok {
		return "", false, badParams(fmt.Sprintf("invalid order_column %q", col))
	}
	switch typ {
	case "asc":
		return canon, false, nil
	case "desc":
		return canon, true, nil
	}
	return "", false, badParams(fmt.Sprintf("invalid order_type %q: want asc or desc", typ))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
