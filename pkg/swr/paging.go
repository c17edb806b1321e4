package swr

import (
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Paging limits of the v2 list endpoints (swr-api.md §1.7).
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Page describes one page of an offset/limit listing.
type Page struct {
	Offset int // index of the first item of the page
	Limit  int // page size asked for
	Total  int // items in the whole listing, or -1 when SWR did not say
}

// ListOptions page a listing that takes no filter (retention histories,
// sync jobs), as the Offset and Limit of ListReposOptions and
// ListTagsOptions page theirs.
type ListOptions struct {
	Offset int // 0-based index of the first item: 0 or a multiple of Limit
	Limit  int // page size: 0 means DefaultPageSize, at most MaxPageSize
}

// bounds returns o's offset and limit, checked; a nil o is the first
// page.
func (o *ListOptions) bounds() (offset, limit int, err error) {
	if o == nil {
		return pageBounds(0, 0)
	}
	return pageBounds(o.Offset, o.Limit)
}

// pageBounds checks and defaults an offset/limit pair. The offset must be
// 0 or a multiple of the limit: one edition of SWR's documentation
// requires it and real SWR may refuse, or misplace, any other
// (swr-api.md §1.7). The streams (All, AllTags) start anywhere by reading
// the aligned page and passing over its first items.
func pageBounds(offset, limit int) (int, int, error) {
	switch {
	case offset < 0:
		return 0, 0, fmt.Errorf("swr: offset %d is negative", offset)
	case limit < 0:
		return 0, 0, fmt.Errorf("swr: limit %d is negative", limit)
	case limit > MaxPageSize:
		return 0, 0, fmt.Errorf("swr: limit %d exceeds the maximum page size %d", limit, MaxPageSize)
	case limit == 0:
		limit = DefaultPageSize
	}
	if offset%limit != 0 {
		return 0, 0, fmt.Errorf("swr: offset %d is not a multiple of the limit %d", offset, limit)
	}
	return offset, limit, nil
}

// pageQuery checks and defaults the paging and ordering of a list request
// and returns the query that carries them, with the offset and limit it
// holds: offset and limit always, order_column and order_type (which go
// together) when set.
func pageQuery(offset, limit int, orderColumn, orderType string) (url.Values, int, int, error) {
	offset, limit, err := pageBounds(offset, limit)
	if err != nil {
		return nil, 0, 0, err
	}
	if (orderColumn == "") != (orderType == "") {
		return nil, 0, 0, errors.New("swr: OrderColumn and OrderType must be set together")
	}
	q := url.Values{}
	setIf(q, "order_column", orderColumn)
	setIf(q, "order_type", orderType)
	q.Set("offset", strconv.Itoa(offset))
	q.Set("limit", strconv.Itoa(limit))
	return q, offset, limit, nil
}

// setIf sets key in q when value is not empty.
func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// contentRangeTotal reads the total from a "Content-Range: <offset>-<count>/<total>" header.
func contentRangeTotal(h http.Header) (int, bool) {
	v := h.Get("Content-Range")
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[i+1:]))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// newPage builds a Page, taking the total from Content-Range, else from
// fallback (a total_range item field), else leaving it unknown.
func newPage(offset, limit int, h http.Header, fallback int64, hasFallback bool) *Page {
	p := &Page{Offset: offset, Limit: limit, Total: -1}
	if n, ok := contentRangeTotal(h); ok {
		p.Total = n
	} else if hasFallback {
		p.Total = int(fallback)
	}
	return p
}

// allPages streams the items of every page from item from on, fetching
// one page of limit items (0: DefaultPageSize) at a time: it never holds
// more than one page. Every offset it asks for is a multiple of the
// limit: it starts at the page holding item from and passes over the
// items before it. It stops after an empty page, after the total, or,
// when the total is unknown, after a short page.
func allPages[T any](from, limit int, fetch func(offset, limit int) ([]T, *Page, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if limit == 0 {
			limit = DefaultPageSize
		}
		if from < 0 || limit < 0 || limit > MaxPageSize {
			_, _, err := pageBounds(from, limit)
			var zero T
			yield(zero, err)
			return
		}
		offset := from - from%limit
		skip := from - offset
		for {
			items, page, err := fetch(offset, limit)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items[min(skip, len(items)):] {
				if !yield(it, nil) {
					return
				}
			}
			skip = 0
			offset += limit
			if len(items) == 0 || (page.Total >= 0 && offset >= page.Total) ||
				(page.Total < 0 && len(items) < limit) {
				return
			}
		}
	}
}
