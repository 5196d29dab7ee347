package web

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// exampleFields has one field of each kind a form struct may hold.
type exampleFields struct {
	Name     string   `form:"name"`
	Remember bool     `form:"remember"`
	Days     int      `form:"days" invalid:"Enter a whole number of days."`
	Org      int64    `form:"organization"`
	Domains  []string `form:"domain"`
	Kept     string   // no tag: the decoder leaves it alone
}

func TestAFormDecodesIntoItsStruct(t *testing.T) {
	cases := []struct {
		name   string
		form   url.Values
		want   exampleFields
		fields padlock.FieldErrors // the field errors expected, nil for none
	}{
		{"every kind of field is read as typed",
			url.Values{"name": {"Ada"}, "remember": {"on"}, "days": {"14"}, "organization": {"7"}, "domain": {"a.test", "b.test"}},
			exampleFields{Name: "Ada", Remember: true, Days: 14, Org: 7, Domains: []string{"a.test", "b.test"}, Kept: "kept"}, nil},
		{"a text field takes the first of repeated values, as PostFormValue does",
			url.Values{"name": {"first", "second"}, "days": {"1"}, "organization": {"1"}},
			exampleFields{Name: "first", Days: 1, Org: 1, Kept: "kept"}, nil},
		{"text, checkbox and list fields left out are empty, with no error",
			url.Values{"days": {"0"}, "organization": {"-3"}},
			exampleFields{Org: -3, Kept: "kept"}, nil},
		{"a checkbox is on for 1 and true too",
			url.Values{"remember": {"1"}, "days": {"1"}, "organization": {"1"}},
			exampleFields{Remember: true, Days: 1, Org: 1, Kept: "kept"}, nil},
		{"a checkbox is off for any other value",
			url.Values{"remember": {"yes"}, "days": {"1"}, "organization": {"1"}},
			exampleFields{Days: 1, Org: 1, Kept: "kept"}, nil},
		{"values no field names are ignored",
			url.Values{"Kept": {"typed"}, "password": {"secret"}, "days": {"1"}, "organization": {"1"}},
			exampleFields{Days: 1, Org: 1, Kept: "kept"}, nil},
		{"a number that is not one is a field error with the field's own message",
			url.Values{"days": {"two"}, "organization": {"1"}},
			exampleFields{Org: 1, Kept: "kept"},
			padlock.FieldErrors{{Field: "days", Message: "Enter a whole number of days."}}},
		{"a number too large is a field error and reads as zero",
			url.Values{"days": {"1"}, "organization": {"99999999999999999999"}},
			exampleFields{Days: 1, Kept: "kept"},
			padlock.FieldErrors{{Field: "organization", Message: notANumber}}},
		{"a number left empty or out is a field error, each beside its field",
			url.Values{"days": {""}},
			exampleFields{Kept: "kept"},
			padlock.FieldErrors{{Field: "days", Message: "Enter a whole number of days."}, {Field: "organization", Message: notANumber}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := exampleFields{Kept: "kept"}
			err := decodeForm(tc.form, &got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %+v, want %+v", got, tc.want)
			}
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			e, ok := err.(*padlock.Error)
			if !ok || e.Code != padlock.EINVALID || !reflect.DeepEqual(e.Fields, tc.fields) {
				t.Fatalf("error %#v, want EINVALID with fields %v", err, tc.fields)
			}
		})
	}
}

func TestAFormStructTheDecoderCannotFillIsAnError(t *testing.T) {
	var notAStruct string
	var unsupported struct {
		Ratio float64 `form:"ratio"`
	}
	for name, dst := range map[string]any{
		"a struct, not a pointer to one": exampleFields{},
		"a pointer to a string":          &notAStruct,
		"a field of an unsupported type": &unsupported,
	} {
		if err := decodeForm(url.Values{"ratio": {"0.5"}}, dst); err == nil || padlock.ErrorCode(err) != padlock.EINTERNAL {
			t.Errorf("%s: error %v, want an internal one", name, err)
		}
	}
}
