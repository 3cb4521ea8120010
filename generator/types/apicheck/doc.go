// Package apicheck is where the API table's test type-checks the table:
// the test writes one Go function per table entry into this package (as an
// overlay, never on disk) and type-checks it against the runtime packages
// the entries name.
package apicheck
