package jinja

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestSandbox: hostile templates end in an error, quickly, and never in a
// Go fatal error (stack overflow, out of memory) or a panic.
func TestSandbox(t *testing.T) {
	cases := []struct {
		name, src string
		want      string // substring of the error
		limit     bool   // a *LimitError
	}{
		{"include", "{% include '/etc/passwd' %}", "not allowed", false},
		{"import", "{% import 'x' as y %}", "not allowed", false},
		{"from_import", "{% from 'x' import y %}", "not allowed", false},
		{"extends", "{% extends 'base.html' %}", "not allowed", false},
		{"infinite_recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "macro calls nested deeper", true},
		{"mutual_recursion", "{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}", "nested deeper", true},
		{"exponential_recursion", "{% macro f(n) %}{{ f(n+1) }}{{ f(n+1) }}{% endmacro %}{{ f(0) }}", "nested deeper", true},
		// The step bound or, on a slow machine, the time bound ends it.
		{"nested_loops", "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "sandbox's limits", true},
		{"huge_range", "{{ range(10**12)|length }}", "range of", true},
		{"string_bomb", "{{ 'a' * 10**12 }}", "longer than", true},
		{"doubling", "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}", "longer than", true},
		{"list_bomb", "{{ [1] * 10**12 }}", "more than", true},
		{"output_bomb", "{% for i in range(100000) %}{{ 'x' * 10000 }}{% endfor %}", "output longer", true},
		{"replace_bomb", "{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s|replace('a', 'aa') %}{% endfor %}", "longer than", true},
		{"deep_parens", strings.Repeat("{{ ", 1) + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + " }}", "nests deeper", false},
		{"deep_ifs", strings.Repeat("{% if true %}", 20000) + strings.Repeat("{% endif %}", 20000), "nests deeper", false},
		{"deep_lists", "{{ " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + " }}", "nests deeper", false},
		{"private_attr", "{{ ''.__class__.__mro__ }}", "unsafe", false},
		{"list_append", "{% set l = [] %}{{ l.append(1) }}", "unsafe", false},
		{"pow_bomb", "{{ 10 ** 10 ** 10 }}", "integer power", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			tpl, err := Compile(c.src)
			if err == nil {
				_, err = tpl.Render(context.Background(), nil, Limits{MaxOutput: 1 << 20, MaxSteps: 200_000})
			}
			if err == nil {
				t.Fatal("rendered without an error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			var le *LimitError
			if c.limit != errors.As(err, &le) {
				t.Errorf("error %v: LimitError = %v, want %v", err, !c.limit, c.limit)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestSandboxTimeAndCancel(t *testing.T) {
	tpl, err := Compile("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = tpl.Render(context.Background(), nil, Limits{Timeout: 100 * time.Millisecond, MaxSteps: 1 << 62})
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("want a timeout, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout of 100ms took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = tpl.Render(ctx, nil, Limits{MaxSteps: 1 << 62}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// FuzzRender: any template source, rendered with chat-like variables,
// returns text or an error; it never panics, hangs or exhausts the stack.
// The seed corpus is testdata/fuzz/FuzzRender (real chat templates and the
// sandbox cases).
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"{% for m in messages %}{{ m.role }}: {{ m.content | trim }}\n{% endfor %}",
		"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
		"{{ messages | tojson(indent=2) }}{{ messages[::-1][0]['content'].split(' ') }}",
		"{% set ns = namespace(x=0) %}{% for i in range(10) if i is odd %}{% set ns.x = ns.x + i %}{% endfor %}{{ ns.x }}",
	} {
		f.Add(s)
	}
	msgs, _ := FromJSON([]byte(`[{"role":"system","content":"s"},{"role":"user","content":"hi 😀"},{"role":"assistant","content":"<think>x</think>y","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]}]`))
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Compile(src)
		if err != nil {
			return
		}
		_, _ = tpl.Render(context.Background(), map[string]any{"messages": msgs, "add_generation_prompt": true, "tools": nil},
			Limits{MaxOutput: 1 << 16, MaxSteps: 100_000, Timeout: time.Second})
	})
}
