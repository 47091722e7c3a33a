package main

import (
	"encoding/json"
	"io"
	"time"
)

// jsonUsage is usage as the JSON report writes it.
type jsonUsage struct {
	Upload   int64    `json:"upload_bytes"`
	Download int64    `json:"download_bytes"`
	Total    int64    `json:"total_bytes"`
	Billed   []amount `json:"billed"` // one amount per currency; currency "" while billing is pending
}

func toJSON(u usage) jsonUsage {
	return jsonUsage{Upload: u.Upload, Download: u.Download, Total: u.Total, Billed: u.Billed.amounts()}
}

// jsonReport is the JSON report: the same content as the table and the CSV.
type jsonReport struct {
	Provider    string            `json:"provider"`
	Period      jsonPeriod        `json:"period"`
	Filters     map[string]string `json:"filters"`
	Group       string            `json:"group_by"`
	Granularity string            `json:"granularity"`
	Groups      []jsonGroup       `json:"groups"`
	Others      *jsonOthers       `json:"others,omitempty"`
	Total       jsonUsage         `json:"total"`
	Buckets     []jsonBucket      `json:"buckets,omitempty"`
}

type jsonPeriod struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type jsonGroup struct {
	Group string  `json:"group"`
	Name  *string `json:"group_name"` // null when unknown
	jsonUsage
}

type jsonOthers struct {
	Groups int `json:"groups"` // how many groups the row sums
	jsonUsage
}

type jsonBucket struct {
	jsonPeriod
	Partial bool `json:"partial,omitempty"` // still in progress when the report was made
	jsonUsage
}

// writeReportJSON prints s as one indented JSON object, every SID whole.
func writeReportJSON(w io.Writer, s summary) error {
	out := jsonReport{
		Provider: s.Provider, Period: jsonPeriod{s.Start, s.End}, Filters: map[string]string{},
		Group: string(s.Group), Granularity: string(s.Granularity),
		Groups: []jsonGroup{}, Total: toJSON(s.Total),
	}
	for _, f := range s.Filters {
		out.Filters[f.Name] = f.Value
	}
	for _, g := range s.Groups {
		out.Groups = append(out.Groups, jsonGroup{Group: g.Key, Name: orNull(g.Name), jsonUsage: toJSON(g.usage)})
	}
	if s.NOthers > 0 {
		out.Others = &jsonOthers{Groups: s.NOthers, jsonUsage: toJSON(s.Others)}
	}
	for _, b := range s.Buckets {
		out.Buckets = append(out.Buckets, jsonBucket{jsonPeriod{b.Start, b.End}, b.Partial, toJSON(b.usage)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
