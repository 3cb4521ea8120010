"""Jinja conformance cases for the Go engine (conformance_test.go).

    conformance.py OUT_JSON

Each case is a template and its variables; it is rendered by the exact
environment transformers uses for chat templates
(transformers.utils.chat_template_utils._compile_jinja_template:
ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
its tojson, raise_exception). The output (or the exception's type) is the
reference; nothing expected is written by hand.
"""
import json
import sys

from transformers.utils.chat_template_utils import _compile_jinja_template

V = {"s": "Hello World", "n": 7, "f": 2.5, "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2], "c": None},
     "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": " hi "},
              {"role": "assistant", "content": "yo", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}],
     "u": "Grüße 世界 🌍", "empty": [], "t": True, "none": None}

CASES = [
    # whitespace control
    ("trim_blocks", "{% if t %}\nyes\n{% endif %}\nend", {}),
    ("lstrip_blocks", "a\n    {% if t %}\n    x\n    {% endif %}\nb", {}),
    ("lstrip_plus", "a\n    {%+ if t %}x{% endif %}\nb", {}),
    ("trim_plus", "{% if t +%}\nx{% endif %}", {}),
    ("minus_both", "a   {%- if t -%}   x   {%- endif -%}   b", {}),
    ("var_minus", "a  {{- s -}}  b", {}),
    ("var_no_lstrip", "a\n    {{ s }}\n", {}),
    ("comment", "a {# note #}\n b\n  {# x #}\nc", {}),
    ("comment_minus", "a {#- note -#} b", {}),
    ("raw", "{% raw %}{{ x }}{% endraw %}", {}),
    ("crlf", "{% if t %}\r\nx{% endif %}", {}),
    # values and printing
    ("print_types", "{{ n }} {{ f }} {{ t }} {{ none }} {{ l }} {{ d }} {{ (1, 'a') }} {{ 1.0 }} {{ 1e-7 }} {{ 1e20 }} {{ 0.1 + 0.2 }}", {}),
    ("print_str_repr", "{{ ['it\\'s', 'a\"b', 'x\\ny', 'ü'] }}", {}),
    # repr of characters str.isprintable rejects (escaped) and accepts (kept: U+FFFD, emoji, CJK)
    ("print_str_repr_unicode", "{{ ['\\u2028', '\\ufffd', '\\u00a0', '\\x7f', '\\U0001f600', '\\u200b', '\\u00ad', '\\u4e16', '\\x85'] }}", {}),
    ("undefined_prints_empty", "[{{ missing }}]", {}),
    ("arith", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 + 2.0 }} {{ 'a' ~ 1 ~ none }}", {}),
    ("str_mult", "{{ 'ab' * 3 }}{{ [1] * 2 }}", {}),
    ("compare_chain", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ [1,2] == [1,2] }}", {}),
    ("in_ops", "{{ 'ell' in s }} {{ 2 in l }} {{ 'a' in d }} {{ 'z' not in d }}", {}),
    ("logic", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ not none }} {{ none or [] }}", {}),
    ("condexpr", "{{ 'a' if t else 'b' }}{{ 'c' if none }}|{{ ('p' if n > 5 else 'q') + '!' }}", {}),
    ("precedence", "{{ 1 + 2 * 3 }} {{ -2 ** 2 }} {{ 'a' ~ (1 + 2) }} {{ not 1 == 2 }} {{ 2 * 3 ~ 4 }}", {}),
    ("err_concat_precedence", "{{ 'a' ~ 1 + 2 }}", {}),
    ("string_literals", "{{ \"dq\" }} {{ 'a' 'b' }} {{ '\\t|\\u00e9|\\x41' }}", {}),
    ("unicode", "{{ u }} {{ u|length }} {{ u[0] }} {{ u[-1] }} {{ u|upper }}", {}),
    # subscripts and slices
    ("index", "{{ l[0] }} {{ l[-1] }} {{ d['b'] }} {{ d.b }} {{ msgs[1].role }} {{ l[10] }}|{{ d.zz }}", {}),
    ("slices", "{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ s[::2] }} {{ s[-5:] }} {{ l[5:] }} {{ msgs[1:]|length }}", {}),
    ("attr_on_none", "{{ none.x }}|{{ none['x'] }}", {}),
    # loops
    ("loop_vars", "{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }},{% endfor %}", {}),
    ("loop_else", "{% for x in empty %}x{% else %}none{% endfor %}", {}),
    ("loop_filter", "{% for x in l if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}", {}),
    ("loop_unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {}),
    ("loop_dict", "{% for k in d %}{{ k }}{% endfor %}", {}),
    ("loop_break", "{% for x in range(10) %}{% if x == 3 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_cycle", "{% for x in l %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("loop_prev_next", "{% for x in l %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}", {}),
    ("loop_scope", "{% set a = 1 %}{% for x in l %}{% set a = x %}{{ a }}{% endfor %}|{{ a }}", {}),
    ("loop_scope_persist", "{% for x in l %}{% if loop.first %}{% set b = 5 %}{% endif %}[{{ b }}]{% endfor %}", {}),
    ("nested_loop", "{% for x in [1,2] %}{% for y in [3,4] %}{{ loop.index }}{{ x }}{{ y }} {% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("if_scope", "{% if t %}{% set c = 3 %}{% endif %}{{ c }}", {}),
    ("namespace", "{% set ns = namespace(k=0, s='') %}{% for x in l %}{% set ns.k = ns.k + x %}{% set ns.s = ns.s ~ x %}{% endfor %}{{ ns.k }} {{ ns.s }}", {}),
    ("set_block", "{% set x %}a{{ n }}b{% endset %}[{{ x }}]", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("range", "{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|list }}", {}),
    # macros
    ("macro", "{% macro m(a, b='B') %}<{{ a }}{{ b }}>{% endmacro %}{{ m(1) }}{{ m(2, 'x') }}{{ m(b=3, a=4) }}", {}),
    ("macro_recursive", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}", {}),
    ("call_block", "{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}inner{% endcall %}", {}),
    ("filter_block", "{% filter upper %}abc {{ s }}{% endfilter %}", {}),
    # filters
    ("f_basic", "{{ s|lower }} {{ s|upper }} {{ 'hello world'|title }} {{ 'hELLO'|capitalize }} {{ '  x  '|trim }} {{ 'xxhixx'|trim('x') }}", {}),
    ("f_length", "{{ l|length }} {{ s|length }} {{ d|length }} {{ missing|length }} {{ l|count }}", {}),
    ("f_join", "{{ l|join(', ') }} {{ msgs|join('|', attribute='role') }} {{ ['a','b']|join }}", {}),
    ("f_default", "{{ missing|default('dflt') }} {{ none|default('x') }} {{ ''|default('e', true) }} {{ n|d(0) }}", {}),
    ("f_first_last", "{{ l|first }} {{ l|last }} {{ s|first }} {{ empty|first }}", {}),
    ("f_sort", "{{ l|sort }} {{ l|sort(reverse=true) }} {{ msgs|sort(attribute='role')|map(attribute='role')|list }} {{ ['b','A','c']|sort }}", {}),
    ("f_map_select", "{{ msgs|map(attribute='role')|list }} {{ msgs|selectattr('role', 'equalto', 'user')|list|length }} {{ msgs|rejectattr('role', 'eq', 'user')|map(attribute='content')|join(',') }} {{ l|select('odd')|list }} {{ [0,1,'',none,'a']|select|list }}", {}),
    ("f_map_filter", "{{ ['a','b']|map('upper')|list }}", {}),
    ("f_misc", "{{ l|sum }} {{ l|min }} {{ l|max }} {{ [1,1,2]|unique|list }} {{ l|reverse|list }} {{ -3|abs }} {{ '42'|int + 1 }} {{ '2.5'|float }} {{ 2.567|round(1) }} {{ 3.5|round }}", {}),
    ("f_replace", "{{ s|replace('o', '0') }} {{ 'aaa'|replace('a', 'b', 2) }}", {}),
    ("f_items_dictsort", "{{ d|items|list }} {{ {'b': 1, 'a': 2}|dictsort }}", {}),
    ("f_indent", "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}", {}),
    ("f_string_list", "{{ l|string }} {{ n|string }} {{ 'ab'|list }}", {}),
    ("f_tojson", "{{ d|tojson }} {{ u|tojson }} {{ msgs[2]|tojson }} {{ [1.0, 2.5e-8, none, true]|tojson }} {{ 'a\"\\\\\\n\\t\\u0001'|tojson }}", {}),
    ("f_tojson_opts", "{{ d|tojson(indent=2) }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}|{{ d|tojson(separators=(',', ':')) }}", {}),
    ("f_escape", "{{ '<a href=\"x\">&\\'</a>'|e }}", {}),
    ("f_wordcount_center", "{{ 'a b  c'|wordcount }}[{{ 'ab'|center(6) }}]", {}),
    ("f_batch", "{{ l|batch(2)|list }}", {}),
    ("f_format", "{{ '%s-%d'|format('a', 3) }} {{ '%s and %s' % ('x', 'y') }} {{ '{} {}'.format(1, 'b') }}", {}),
    # tests
    ("tests", "{{ n is defined }} {{ missing is undefined }} {{ none is none }} {{ s is string }} {{ n is number }} {{ n is integer }} {{ f is float }} {{ d is mapping }} {{ l is iterable }} {{ s is sequence }} {{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ t is true }} {{ t is boolean }} {{ none is not none }} {{ 'A' is upper }} {{ 2 is in l }} {{ n is eq 7 }} {{ n is gt 3 }}", {}),
    ("test_precedence", "{{ not missing is defined }} {{ msgs[0].content is string and true }}", {}),
    # string methods
    ("str_methods", "{{ '  a b '.strip() }}|{{ 'xay'.strip('xy') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ s.startswith('He') }}|{{ s.endswith(('x', 'ld')) }}|{{ s.replace('l', 'L') }}|{{ s.find('o') }}|{{ s.count('l') }}|{{ '-'.join(['a','b']) }}|{{ 'ab\\ncd'.splitlines() }}|{{ s.lstrip('H') }}|{{ '12'.isdigit() }}|{{ s.title() }}", {}),
    ("dict_methods", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.get('b') }} {{ d.get('zz', 'dflt') }} {{ d.items()|list }}", {}),
    ("list_methods", "{{ l.index(1) }} {{ l.count(3) }}", {}),
    ("think_split", "{% set c = '<think>\\nhm\\n</think>\\n\\nok' %}{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}", {}),
    # errors (the type must be an error in Go too)
    ("err_raise", "{{ raise_exception('bad role') }}", {}),
    ("err_add_types", "{{ 'a' + 1 }}", {}),
    ("err_undefined_attr", "{{ missing.x }}", {}),
    ("err_undefined_add", "{{ missing + 1 }}", {}),
    ("err_div_zero", "{{ 1 / 0 }}", {}),
    ("err_unknown_filter", "{{ s|nosuchfilter }}", {}),
    ("err_syntax", "{% if %}", {}),
    ("err_unclosed", "{% if t %}x", {}),
    ("err_include", "{% include '/etc/passwd' %}", {}),
    ("err_import", "{% import 'x' as y %}", {}),
    ("err_extends", "{% extends 'base' %}", {}),
    ("private_attr_is_undefined", "[{{ s.__class__ }}]", {}),
    ("err_private_attr_use", "{{ s.__class__.__mro__ }}", {}),
    ("err_append", "{% set x = [] %}{{ x.append(1) }}", {}),
    ("err_dict_update", "{% set x = {} %}{{ x.update({'a': 1}) }}", {}),
    ("err_range_big", "{{ range(100001)|length }}", {}),
    ("err_not_iterable", "{% for x in n %}{% endfor %}", {}),
    ("err_compare", "{{ 'a' < 1 }}", {}),
    ("err_tojson_undefined", "{{ missing|tojson }}", {}),
]


def main():
    out = []
    for name, src, extra in CASES:
        case = {"name": name, "template": src}
        try:
            t = _compile_jinja_template(src)
            case["text"] = t.render(**{**V, **extra})
        except Exception as e:
            case["error"] = type(e).__name__ + ": " + str(e)
        out.append(case)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump({"vars": V, "cases": out}, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
