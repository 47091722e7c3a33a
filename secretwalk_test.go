package supersim_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// assertHoldsNoSecret fails if v, an error or any value the SDK hands out,
// holds one of forms at any depth: in its text, in its %#v and %+v
// printouts (what testify prints on a failed require.Nil), or in any string
// or byte slice reachable from it, exported or not. That is how a secret
// leaks: not only through Error().
func assertHoldsNoSecret(t *testing.T, v any, forms ...string) {
	t.Helper()
	texts := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v)}
	walkStrings(reflect.ValueOf(v), map[uintptr]bool{}, func(s string) { texts = append(texts, s) })
	for _, form := range forms {
		if form == "" {
			continue
		}
		for _, text := range texts {
			if strings.Contains(text, form) {
				assert.Failf(t, "a secret is held", "%q found in %.200q", form, text)
				return
			}
		}
	}
}

// walkStrings calls found with every string and byte slice reachable from v.
func walkStrings(v reflect.Value, seen map[uintptr]bool, found func(string)) {
	switch v.Kind() {
	case reflect.String:
		found(v.String())
	case reflect.Pointer, reflect.Map:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		if v.Kind() == reflect.Pointer {
			walkStrings(v.Elem(), seen, found)
			return
		}
		for it := v.MapRange(); it.Next(); {
			walkStrings(it.Key(), seen, found)
			walkStrings(it.Value(), seen, found)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			found(string(v.Bytes()))
			return
		}
		for i := range v.Len() {
			walkStrings(v.Index(i), seen, found)
		}
	case reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), seen, found)
		}
	case reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), seen, found)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			walkStrings(v.Field(i), seen, found)
		}
	}
}

func TestSecretWalkFindsAnUnexportedSecret(t *testing.T) {
	type hidden struct{ forms []string }
	type wrapper struct{ inner *hidden }
	fake := &testing.T{}
	assertHoldsNoSecret(fake, wrapper{inner: &hidden{forms: []string{"xx-s3cret-xx"}}}, "s3cret")
	assert.True(t, fake.Failed(), "the walk must find a secret in an unexported field")
}
