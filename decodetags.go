package supersim

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Decoding by json tags: the field table of a record type, built once from
// its struct tags, for the resources that need no hand-written table. The
// same pageReader reads them, as strictly as hand-written tables: unknown members
// are skipped, a member named twice or only case-folded to a field's name
// is refused, null leaves a field as it is.
//
// Supported field types: string (and types of kind string), int, int64,
// bool, time.Time (RFC 3339, kept in UTC), structs of these, and slices of
// such structs.

// tagTables caches the field tables by struct type.
var tagTables sync.Map // reflect.Type -> []field[reflect.Value]

// tagFields returns the field table of T built from its json tags.
func tagFields[T any]() []field[T] {
	t := reflect.TypeFor[T]()
	var fields []field[T]
	for i, name := range taggedMembers(t) {
		if name == "" {
			continue
		}
		decode := valueDecoder(t.Field(i).Type)
		fields = append(fields, field[T]{name, func(r *pageReader, v *T) error {
			return decode(r, reflect.ValueOf(v).Elem().Field(i))
		}})
	}
	return fields
}

// structFields returns the field table of struct type t, a member of
// another: one field per member with a json tag.
func structFields(t reflect.Type) []field[reflect.Value] {
	if cached, ok := tagTables.Load(t); ok {
		return cached.([]field[reflect.Value])
	}
	var fields []field[reflect.Value]
	for i, name := range taggedMembers(t) {
		if name == "" {
			continue
		}
		decode := valueDecoder(t.Field(i).Type)
		fields = append(fields, field[reflect.Value]{name, func(r *pageReader, v *reflect.Value) error {
			return decode(r, v.Field(i))
		}})
	}
	tagTables.Store(t, fields)
	return fields
}

// taggedMembers returns the JSON name of each field of struct type t, ""
// for a field without one.
func taggedMembers(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		sf := t.Field(i)
		if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); sf.IsExported() && name != "-" {
			names[i] = name
		}
	}
	return names
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	stringPtrType = reflect.TypeFor[*string]()
)

// valueDecoder returns how a JSON value decodes into a settable value of
// type t.
func valueDecoder(t reflect.Type) func(r *pageReader, v reflect.Value) error {
	if t == timeType {
		return func(r *pageReader, v reflect.Value) error { return r.readTime(v.Addr().Interface().(*time.Time)) }
	}
	switch t.Kind() {
	case reflect.String: // a *SimStatus converts to a *string
		return func(r *pageReader, v reflect.Value) error {
			return r.str(v.Addr().Convert(stringPtrType).Interface().(*string))
		}
	case reflect.Int, reflect.Int64:
		return func(r *pageReader, v reflect.Value) error {
			var n int64
			if err := readInt(r, &n); err != nil {
				return err
			}
			if v.OverflowInt(n) {
				return r.errorf("%d is not an integer within %s", n, t)
			}
			v.SetInt(n)
			return nil
		}
	case reflect.Bool:
		return func(r *pageReader, v reflect.Value) error { return r.readBool(v.Addr().Interface().(*bool)) }
	case reflect.Struct:
		fields := structFields(t)
		return func(r *pageReader, v reflect.Value) error { return readObject(r, &v, fields) }
	case reflect.Slice:
		elem := valueDecoder(t.Elem())
		return func(r *pageReader, v reflect.Value) error {
			if ok, err := r.open('['); !ok {
				return err
			}
			v.SetLen(0)
			for n := 0; ; n++ {
				if more, err := r.s.more(']', n); !more {
					return err
				}
				v.Set(reflect.Append(v, reflect.Zero(t.Elem())))
				if err := elem(r, v.Index(v.Len()-1)); err != nil {
					return err
				}
			}
		}
	}
	panic(fmt.Sprintf("supersim: no JSON decoding by tags for %s", t))
}
