using OffGrid.Inference.Templates;
using Xunit;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>Template errors surface as <see cref="ChatTemplateException"/> with the line they happened on.</summary>
public sealed class JinjaErrorTests
{
    [Fact]
    public void SyntaxErrorReportsItsLine()
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render("line one\n{{ 'ok' }}\n{% if %}"));
        Assert.Equal(3, error.Line);
        Assert.StartsWith("Chat template error at line 3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnclosedBlockNamesTheMissingTag()
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render("{% for x in y %}\n{{ x }}"));
        Assert.Contains("endfor", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ x | no_such_filter }}", "No filter named 'no_such_filter'")]
    [InlineData("{{ x is no_such_test }}", "No test named 'no_such_test'")]
    [InlineData("{% no_such_tag %}", "Unknown tag 'no_such_tag'")]
    [InlineData("{{ 'unterminated }}", "Unterminated string literal")]
    [InlineData("{# open comment", "Missing end of comment tag")]
    public void UnknownNamesFailWhenParsing(string template, string message)
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render(template));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    // llama.cpp's engine is lenient where Python Jinja2 raises, and OffGrid renders as llama.cpp does: reading from
    // undefined is undefined, and a string joined with undefined or None stays the string.
    [Theory]
    [InlineData("a{{ missing.attr }}{{ missing['key'].deeper }}b", "ab")]
    [InlineData("{{ 'x' + missing }}{{ none + 'y' }}", "xy")]
    [InlineData("{{ none | selectattr('type', 'equalto', 'f') | list | length }}", "0")]
    public void UndefinedIsLenientAsInLlamaCpp(string template, string expected) =>
        Assert.Equal(expected, JinjaTestRenderer.Render(template));

    [Theory]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'")]
    [InlineData("{{ 1 // 0 }}", "integer division or modulo by zero")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [InlineData("{% for x in none %}{% endfor %}", "'NoneType' object is not iterable")]
    [InlineData("{{ missing + 1 }}", "'missing' is undefined")]
    [InlineData("{{ 'x'() }}", "'str' object is not callable")]
    [InlineData("{% set x = 1 %}{% set x.y = 2 %}", "cannot assign attribute on non-namespace object 'x'")]
    public void RuntimeErrorsUsePythonMessages(string template, string reason)
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render(template));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void RaiseExceptionThrowsTheDedicatedType()
    {
        var error = Assert.Throws<ChatTemplateRaisedException>(() =>
            JinjaTestRenderer.Render("{% if true %}\n{{ raise_exception('System role not supported') }}\n{% endif %}"));
        Assert.Equal("System role not supported", error.Reason);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void RaiseExceptionInsideAMacroKeepsItsType()
    {
        const string template = "{% macro check(x) %}{% if x %}{{ raise_exception('bad ' ~ x) }}{% endif %}{% endmacro %}{{ check(1) }}";
        var error = Assert.Throws<ChatTemplateRaisedException>(() => JinjaTestRenderer.Render(template));
        Assert.Equal("bad 1", error.Reason);
    }

    [Fact]
    public void InfiniteMacroRecursionFailsInsteadOfCrashing()
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"));
        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeRangesAreRefused()
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTestRenderer.Render("{{ range(1000000) | length }}"));
        Assert.Contains("range() is limited", error.Message, StringComparison.Ordinal);
    }
}
