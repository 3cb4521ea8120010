package types

// StrPredicates are the str methods that classify characters, with the
// runtime/py function that answers them by the pinned CPython's tables
// (runtime/py/strclass.go).
var StrPredicates = map[string]string{"isdigit": "StrIsDigit", "isdecimal": "StrIsDecimal", "isspace": "StrIsSpace"}

// strPredicate types s.isdigit() and the like: a bool, no arguments.
func strPredicate(name string, nargs int) (*Type, bool) {
	if _, ok := StrPredicates[name]; ok && nargs == 0 {
		return TBool, true
	}
	return nil, false
}
