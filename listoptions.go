package supersim

// ListOptions are the paging options that every list of resources shares
// (usage records have their own, for windowed walks). Embed it; its fields
// are then reachable as opts.PageSize and so on:
//
//	opts := &supersim.ListSimsOptions{Status: supersim.SimStatusActive}
//	opts.PageSize = 1000
type ListOptions struct {
	// PageSize is the number of items per page: 1 to 1000 (on Twilio and
	// KORE alike), or 0 for the server's default (50).
	PageSize int `url:"PageSize,omitempty"`
	// MaxRecords stops the walk after this many items; 0 for no limit.
	MaxRecords int `url:"-"`
	// NoPrefetch turns off fetching page k+1 while the caller works through
	// page k.
	NoPrefetch bool `url:"-"`

	resume Position // set by ResumeFrom
}

// ResumeFrom sets the options to resume a walk at p, a Position saved from
// a walk of the same list with the same options ([Iterator.NextPosition],
// or a [Page]'s Next). The list refuses a position saved from a walk of
// other options with a *ValidationError{Field: "ResumeFrom"}.
func (o *ListOptions) ResumeFrom(p Position) { o.resume = p }

// paging returns the options as the list machinery reads them.
func (o *ListOptions) paging() paging {
	return paging{pageSize: o.PageSize, maxRecords: o.MaxRecords, noPrefetch: o.NoPrefetch, start: o.resume}
}

// check reports each invalid paging option to v.
func (o *ListOptions) check(v *validation) {
	if !o.resume.WindowStart.IsZero() || !o.resume.WindowEnd.IsZero() {
		v.bad("ResumeFrom", "a windowed walk's position resumes only a windowed walk of usage records", "")
	}
	v.paging(o.paging())
}
