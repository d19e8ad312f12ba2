using System.Text;
using OffGrid.Inference.Templates;
using OffGrid.Inference.Templates.Jinja;
using OffGrid.Testing.LlamaCpp;
using Xunit;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// Renders every chat template shipped with llama.cpp (<c>models/templates</c>) with OffGrid's engine and compares
/// the prompts with @huggingface/jinja and with Python Jinja2 (the engine transformers uses).
/// </summary>
public sealed class TemplateCorpusTests(ITestOutputHelper output)
{
    /// <summary>How many templates must agree with an oracle (identical prompt, or both raising on purpose).</summary>
    private const int RequiredAgreements = 64;

    [Fact]
    public void EveryLlamaCppTemplateRendersAndAgreesWithTheOracles()
    {
        var files = LlamaCppSources.TemplateFiles;
        Assert.True(files.Count >= 68, $"expected at least 68 templates, found {files.Count}");
        var sources = files.ToDictionary(file => Path.GetFileNameWithoutExtension(file), File.ReadAllText, StringComparer.Ordinal);
        var cases = sources.ToDictionary(pair => pair.Key, pair => CreateOracleCase(pair.Key, pair.Value), StringComparer.Ordinal);
        var huggingFace = TemplateOracles.RenderWithHuggingFaceJinja(cases);
        var jinja2 = TemplateOracles.RenderWithPythonJinja2(cases);

        var outcomes = sources
            .Select(pair => Judge(pair.Key, RenderWithOffGrid(pair.Key, pair.Value), huggingFace[pair.Key], jinja2[pair.Key]))
            .ToList();
        output.WriteLine(FormatTable(outcomes));

        var failures = outcomes.Where(outcome => outcome.Verdict is Verdict.EngineError or Verdict.RaisedAlone).ToList();
        Assert.True(failures.Count == 0, "Templates OffGrid failed to render:\n" + string.Join("\n", failures.Select(f => $"{f.Name}: {f.Detail}")));
        int agreements = outcomes.Count(outcome => outcome.Verdict is Verdict.Identical or Verdict.MatchesJinja2 or Verdict.BothRaised);
        Assert.True(agreements >= RequiredAgreements, $"{agreements} templates agree with an oracle; expected at least {RequiredAgreements}.");
    }

    /// <summary>The variables OffGrid ends up rendering with, including its retry with JSON-text tool arguments.</summary>
    private static OracleCase CreateOracleCase(string name, string source)
    {
        var context = CorpusConversation.Create(name);
        var template = ChatTemplate.Parse(source);
        var variables = template.Variables(context, argumentsAsJsonText: false);
        try
        {
            JinjaTemplate.Parse(source).Render(variables);
        }
        catch (ChatTemplateException error)
        {
            if (error is not ChatTemplateRaisedException)
            {
                variables = template.Variables(context, argumentsAsJsonText: true);
            }
        }

        var dict = new TemplateDict();
        foreach (var pair in variables)
        {
            dict[pair.Key] = pair.Value;
        }

        return new OracleCase(source, TemplateJson.Serialize(dict));
    }

    private static OracleResult RenderWithOffGrid(string name, string source)
    {
        try
        {
            return new OracleResult(ChatTemplate.Parse(source).Render(CorpusConversation.Create(name)), null);
        }
        catch (ChatTemplateRaisedException raised)
        {
            return new OracleResult(null, "raised: " + raised.Reason);
        }
        catch (ChatTemplateException error)
        {
            return new OracleResult(null, error.Message);
        }
    }

    private static CorpusOutcome Judge(string name, OracleResult ours, OracleResult huggingFace, OracleResult jinja2)
    {
        if (ours.Output is null)
        {
            // A template that rejects this conversation on purpose is correct when an oracle rejects it too.
            bool raised = ours.Error!.StartsWith("raised: ", StringComparison.Ordinal);
            bool oracleRejects = huggingFace.Error is not null || jinja2.Error is not null;
            var verdict = !raised ? Verdict.EngineError : oracleRejects ? Verdict.BothRaised : Verdict.RaisedAlone;
            return new CorpusOutcome(name, verdict, ours.Error, huggingFace, jinja2);
        }

        if (ours.Output == huggingFace.Output)
        {
            string detail = jinja2.Output is null || jinja2.Output == ours.Output
                ? $"{ours.Output.Length} chars"
                : $"{ours.Output.Length} chars; Jinja2 differs {PromptDiff.FirstDifference(ours.Output, jinja2.Output, "Jinja2")}";
            return new CorpusOutcome(name, Verdict.Identical, detail, huggingFace, jinja2);
        }

        if (ours.Output == jinja2.Output)
        {
            return new CorpusOutcome(name, Verdict.MatchesJinja2, $"{ours.Output.Length} chars", huggingFace, jinja2);
        }

        return huggingFace.Output is null && jinja2.Output is null
            ? new CorpusOutcome(name, Verdict.OracleError, "both oracles failed", huggingFace, jinja2)
            : new CorpusOutcome(name, Verdict.Different, PromptDiff.FirstDifference(ours.Output, jinja2.Output ?? huggingFace.Output!, "oracle"), huggingFace, jinja2);
    }

    private static string FormatTable(List<CorpusOutcome> outcomes)
    {
        var table = new StringBuilder();
        foreach (var group in outcomes.GroupBy(outcome => outcome.Verdict).OrderBy(group => group.Key))
        {
            table.AppendLine($"{group.Key}: {group.Count()}");
        }

        table.AppendLine($"identical to @huggingface/jinja: {outcomes.Count(o => o.Verdict == Verdict.Identical)}, "
            + $"identical to Jinja2: {outcomes.Count(o => o.Verdict == Verdict.MatchesJinja2 || (o.Verdict == Verdict.Identical && o.HuggingFace.Output == o.Jinja2.Output))}, "
            + $"templates: {outcomes.Count}");
        table.AppendLine();
        table.AppendLine($"{"template",-46} {"verdict",-13} {"hf-jinja",-9} {"jinja2",-9} detail");
        foreach (var outcome in outcomes)
        {
            table.AppendLine($"{outcome.Name,-46} {outcome.Verdict,-13} {Status(outcome.HuggingFace),-9} {Status(outcome.Jinja2),-9} {outcome.Detail}");
            foreach (var error in new[] { outcome.HuggingFace.Error, outcome.Jinja2.Error }.OfType<string>())
            {
                table.AppendLine($"{string.Empty,-46} oracle error: {error}");
            }
        }

        return table.ToString();
    }

    private static string Status(OracleResult result) => result.Output is null ? "error" : "rendered";

    /// <summary>How one template's rendering compares with the oracles'.</summary>
    private enum Verdict
    {
        /// <summary>Same prompt as @huggingface/jinja.</summary>
        Identical,

        /// <summary>Same prompt as Python Jinja2, where @huggingface/jinja failed or differs.</summary>
        MatchesJinja2,

        /// <summary>The template raised an exception on purpose, and an oracle rejected it too.</summary>
        BothRaised,

        /// <summary>OffGrid's prompt differs from every oracle that rendered.</summary>
        Different,

        /// <summary>OffGrid rendered; both oracles failed.</summary>
        OracleError,

        /// <summary>OffGrid's template raised while both oracles rendered.</summary>
        RaisedAlone,

        /// <summary>OffGrid failed to render.</summary>
        EngineError,
    }

    private sealed record CorpusOutcome(string Name, Verdict Verdict, string Detail, OracleResult HuggingFace, OracleResult Jinja2);
}
