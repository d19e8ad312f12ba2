using OffGrid.Inference.Templates.Jinja;
using Xunit;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// The Jinja features chat templates use, one case per feature. Expected outputs were produced by Python Jinja2 3.1
/// configured as transformers configures it (trim_blocks, lstrip_blocks, loopcontrols, json.dumps-based tojson).
/// </summary>
public sealed class JinjaFeatureTests
{
    [Theory]
    [InlineData("TrimBlocksDropsNewlineAfterTag", "{% if true %}\nyes\n{% endif %}\nend", null, "yes\nend")]
    [InlineData("LstripBlocksDropsIndentBeforeTag", "  {% if true %}x{% endif %}\n  {{ 'y' }}", null, "x  y")]
    [InlineData("MinusStripsAllWhitespace", "a  \n {%- if true -%}  \n b  {%- endif -%}  \n c", null, "abc")]
    [InlineData("MinusOnOutputTags", "a {{- 'b' -}} c", null, "abc")]
    [InlineData("CommentsAreRemoved", "a{# note #}\nb {#- trimmed -#} c", null, "abc")]
    [InlineData("PlusDisablesLstrip", "  {%+ if true %}x{% endif %}", null, "  x")]
    [InlineData("RawBlockIsLiteral", "{% raw %}{{ not rendered }}{% endraw %}", null, "{{ not rendered }}")]
    [InlineData("OneTrailingNewlineIsDropped", "line\n\n", null, "line\n")]
    [InlineData("ArithmeticFollowsPython", "{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }} {{ 1 - -1 }}", null, "7 3 -4 1 2 1024 3.5 2")]
    [InlineData("ConcatenationStringifies", "{{ 'a' ~ 1 ~ none ~ true }}", null, "a1NoneTrue")]
    [InlineData("Slicing", "{{ [1, 2, 3][::-1] }} {{ 'hello'[1:3] }} {{ x[-2:] }} {{ x[:-1] }} {{ x[::2] }} {{ 'abc'[-1] }}", "{\"x\": [1, 2, 3, 4]}", "[3, 2, 1] el [3, 4] [1, 2, 3] [1, 3] c")]
    [InlineData("LiteralsPrintLikePython", "{{ {'a': 1, 'b': [True, None, 'it\\'s']} }} {{ (1, 2) }} {{ (1,) }} {{ 1.5 }} {{ 2.0 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ true }} {{ none }}", null, "{'a': 1, 'b': [True, None, \"it's\"]} (1, 2) (1,) 1.5 2.0 1e+20 0.30000000000000004 True None")]
    [InlineData("ConditionalExpression", "{{ 1 if false else 2 }}[{{ 'x' if false }}]", null, "2[]")]
    [InlineData("ComparisonsAndMembership", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' in 'abc' }} {{ 3 not in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 == 1.0 }} {{ [1, 2] == [1, 2] }}", null, "True False True True True True True")]
    [InlineData("BooleanOperatorsReturnOperands", "{{ not none and 0 or 'z' }} {{ '' or 'fallback' }} {{ 'a' and 'b' }}", null, "z fallback b")]
    [InlineData("AttributeAndItemAccess", "{{ users[0].name }} {{ users[1]['active'] }} {{ users.0.name }}", "{\"users\": [{\"name\": \"a\", \"active\": true}, {\"name\": \"b\", \"active\": false}, {\"name\": \"c\", \"active\": true}]}", "a False a")]
    [InlineData("Tests", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 1 is number }} {{ true is boolean }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ 1 is equalto 1 }} {{ [] is sequence }} {{ true is true }} {{ false is false }} {{ 1 is integer }} {{ 1.0 is float }} {{ x is not string }}", "{\"x\": [1, 2, 3, 4]}", "True False True True True True True True True True True True True True True True True True True True True")]
    [InlineData("LoopVariables", "{% for x in [1, 2, 3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}|{% endfor %}", null, "10TrueFalse332|21FalseFalse321|32FalseTrue310|")]
    [InlineData("LoopElse", "{% for x in [] %}a{% else %}empty{% endfor %}", null, "empty")]
    [InlineData("LoopFilterCountsFilteredItems", "{% for x in [1, 2, 3, 4] if x is even %}{{ x }}/{{ loop.length }} {% endfor %}", null, "2/2 4/2 ")]
    [InlineData("LoopUnpacksTuples", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", null, "a=1;b=2;")]
    [InlineData("LoopNeighbours", "{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }}|{% endfor %}", null, "-2|1-3|2-|")]
    [InlineData("LoopCycle", "{% for x in 'abc' %}{{ loop.cycle('o', 'e') }}{% endfor %}", null, "oeo")]
    [InlineData("BreakAndContinue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", null, "0134")]
    [InlineData("LoopScopeDoesNotLeak", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}", null, "21")]
    [InlineData("NamespaceCarriesStateOutOfLoops", "{% set ns = namespace(count=0, seen=false) %}{% for i in [1, 2, 3] %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }} {{ ns.seen }}", null, "6 False")]
    [InlineData("NestedLoopsShadowLoop", "{% for a in [1, 2] %}{% for b in [3, 4, 5] %}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}", null, "1231 1232 ")]
    [InlineData("LoopOverDictVisitsKeys", "{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", null, "ba")]
    [InlineData("SetUnpacksTuples", "{% set a, b = 1, 2 %}{{ b }}{{ a }}", null, "21")]
    [InlineData("BlockSet", "{% set block %}hi {{ 1 }}{% endset %}[{{ block }}]", null, "[hi 1]")]
    [InlineData("MacroWithDefaultsAndKeywords", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }} {{ greet(name='Cy') }}", null, "Hello, Bob! Hi, Al! Hello, Cy!")]
    [InlineData("MacroRecursion", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", null, "321")]
    [InlineData("CallBlockPassesCaller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %}", null, "<b>inner</b>")]
    [InlineData("FilterBlock", "{% filter upper %}abc{{ 'd' }}{% endfilter %}", null, "ABCD")]
    [InlineData("GenerationTagIsTransparent", "a{% generation %}b{% endgeneration %}c", null, "abc")]
    [InlineData("StringFilters", "{{ '  a  ' | trim }}|{{ 'abc' | length }}|{{ [1, 2] | count }}|{{ 'hi' | upper }}|{{ 'HI' | lower }}|{{ 'hello wORLD' | title }}|{{ 'hello World' | capitalize }}|{{ 'a,b' | replace(',', ';') }}|{{ 'one two  three' | wordcount }}|{{ '<a href=\"x\">&\\'' | e }}|{{ 'xxaxx' | trim('x') }}", null, "a|3|2|HI|hi|Hello World|Hello world|a;b|3|&lt;a href=&#34;x&#34;&gt;&amp;&#39;|a")]
    [InlineData("SequenceFilters", "{{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'A', 'a'] | unique | list }} {{ [1, 2, 3] | reverse | list }} {{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ [1, 2, 3] | sum }} {{ [1, 5, 3] | min }} {{ [1, 5, 3] | max }} {{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ 'ab' | list }} {{ ['b', 'A', 'c'] | sort }}", null, "[1, 2, 3] [3, 2, 1] ['b', 'A'] [3, 2, 1] 1 3 6 1 5 [[1, 2], [3, 4], [5]] ['a', 'b'] ['A', 'b', 'c']")]
    [InlineData("NumberFilters", "{{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ '42' | int + 1 }} {{ 'x' | int }} {{ '1.5' | float }} {{ 3 | string }} {{ 3.7 | int }}", null, "3 2.57 2.0 43 0 1.5 3 3")]
    [InlineData("DefaultFilter", "{{ y | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ y | d('e') }} {{ 0 | default(5) }}", null, "d None d e 0")]
    [InlineData("AttributeFilters", "{{ users | selectattr('active') | map(attribute='name') | join(', ') }} {{ users | rejectattr('active') | map(attribute='name') | list }} {{ users | selectattr('name', 'equalto', 'b') | list | length }} {{ users | map(attribute='missing', default='?') | join }} {{ users | sort(attribute='name', reverse=true) | map(attribute='name') | join }}", "{\"users\": [{\"name\": \"a\", \"active\": true}, {\"name\": \"b\", \"active\": false}, {\"name\": \"c\", \"active\": true}]}", "a, c ['b'] 1 ??? cba")]
    [InlineData("SelectAndMapByName", "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} {{ ['a', 'b'] | map('upper') | join }} {{ [0, 1, ''] | select | list }}", null, "[1, 3] [2, 4] AB [1]")]
    [InlineData("DictFilters", "{{ {'b': 1, 'a': 2} | dictsort }} {{ {'b': 1, 'a': 2} | items | list }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }}", null, "[('a', 2), ('b', 1)] [('b', 1), ('a', 2)] [('b', 1), ('a', 2)]")]
    [InlineData("IndentFilter", "[{{ 'a\\nb\\n\\nc' | indent(2) }}] [{{ 'a\\nb' | indent(2, true) }}] [{{ 'a\\n\\nb' | indent('> ', blank=true) }}]", null, "[a\n  b\n\n  c] [  a\n  b] [a\n> \n> b]")]
    [InlineData("ToJsonLikeHuggingFace", "{{ {'a': [1, 2.5, 'é', none, true], 'q': 'x\"y\\n'} | tojson }} {{ {'a': 1, 'b': {'c': [2]}} | tojson(indent=2) }} {{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ [] | tojson(indent=2) }}", null, "{\"a\": [1, 2.5, \"é\", null, true], \"q\": \"x\\\"y\\n\"} {\n  \"a\": 1,\n  \"b\": {\n    \"c\": [\n      2\n    ]\n  }\n} {\"a\": 2, \"b\": 1} []")]
    [InlineData("PrintfFormatting", "{{ '%s-%d' % ('a', 3) }} {{ '%05.1f' | format(3.14159) }} {{ '%s' | format('x') }}", null, "a-3 003.1 x")]
    [InlineData("StringMethods", "{{ ' a b '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'a b  c'.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'Hello'.startswith('He') }}|{{ 'Hello'.endswith(('lo', 'x')) }}|{{ 'hello wORLD'.title() }}|{{ '{} and {name}'.format(1, name='n') }}|{{ '{1}{0}'.format('a', 'b') }}|{{ 'banana'.count('a') }}|{{ 'banana'.find('n') }}|{{ 'a\\nb\\r\\nc'.splitlines() }}|{{ '-'.join(['a', 'b']) }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ '  x'.lstrip() }}|{{ 'x  '.rstrip() }}|{{ 'ab'.upper() }}|{{ '{:>4}|{:<3}|{:^5}|{:.2f}'.format('a', 'b', 'c', 3.14159) }}", null, "a b|a|['a', 'b', 'c']|['a', 'b,c']|True|True|Hello World|1 and n|ba|3|2|['a', 'b', 'c']|a-b|bba|x|x|AB|   a|b  |  c  |3.14")]
    [InlineData("DictMethods", "{% set d = {'a': 1} %}{{ d.get('a') }} {{ d.get('b', 'z') }} {{ d.get('b') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }}", null, "1 z None ['a'] [1] [('a', 1)]")]
    [InlineData("ListMethods", "{% set l = [1] %}{% set _ = l.append(2) %}{{ l }} {{ l.pop() }} {{ l }} {{ [5, 6].index(6) }} {{ [1, 1, 2].count(1) }}", null, "[1, 2] 2 [1] 1 2")]
    [InlineData("Globals", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }} {{ dict(a=1) }} {{ namespace(a=1).a }}", null, "[0, 1, 2] [1, 3, 5] [3, 2, 1] {'a': 1} 1")]
    [InlineData("UndefinedIsLenient", "[{{ missing }}|{{ missing | length }}|{% for x in missing %}x{% endfor %}|{{ missing is none }}|{{ none.x is defined }}|{{ missing | default('d') }}|{{ missing ~ 'a' }}]", null, "[|0||False|False|d|a]")]
    public void RendersLikeJinja2(string feature, string template, string? variablesJson, string expected)
    {
        Assert.False(string.IsNullOrEmpty(feature));
        Assert.Equal(expected, JinjaTestRenderer.Render(template, variablesJson));
    }
}
