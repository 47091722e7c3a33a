package supersim

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// redacted stands for a secret cut out of text.
const redacted = "[redacted]"

// minSecretLen is the shortest string treated as a secret: cutting out a
// shorter one would mangle ordinary text.
const minSecretLen = 4

// secretForms returns the ways each secret can show up in text that a
// server wrote: as is, URL-encoded (a form body echoed), JSON-escaped, and
// base64-encoded (an Authorization header echoed).
func secretForms(secrets ...string) []string {
	var forms []string
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		escaped, _ := json.Marshal(s)
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s),
			strings.Trim(string(escaped), `"`), strings.ReplaceAll(strings.Trim(string(escaped), `"`), "/", `\/`),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	return forms
}

// redact cuts every form of every secret out of text.
func redact(text string, forms []string) string {
	for _, f := range forms {
		if f != "" && strings.Contains(text, f) {
			text = strings.ReplaceAll(text, f, redacted)
		}
	}
	return text
}

// redactValue cuts the forms out of every string inside v, a value decoded
// from JSON (maps, slices, strings), in place where it can.
func redactValue(v any, forms []string) any {
	switch v := v.(type) {
	case string:
		return redact(v, forms)
	case map[string]any:
		for k, e := range v {
			v[k] = redactValue(e, forms)
		}
	case []any:
		for i, e := range v {
			v[i] = redactValue(e, forms)
		}
	}
	return v
}
