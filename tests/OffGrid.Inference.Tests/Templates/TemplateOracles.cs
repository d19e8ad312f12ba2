using System.Text;
using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// Independent Jinja implementations to compare OffGrid's engine with: npm <c>@huggingface/jinja</c> under node
/// (installed once into the test cache) and Python Jinja2 configured as transformers configures it. Each renders all
/// cases in one process.
/// </summary>
internal static class TemplateOracles
{
    /// <summary>The @huggingface/jinja version used as an oracle.</summary>
    public const string HuggingFaceJinjaVersion = "0.5.11";

    private static readonly Lazy<string> s_huggingFaceJinja = new(
        () => CachedAsset.GetOrCreate($"hf-jinja-{HuggingFaceJinjaVersion}", directory => ExternalCommand.Run(
            "npm",
            ["install", "--prefix", directory, "--no-audit", "--no-fund", "--silent", $"@huggingface/jinja@{HuggingFaceJinjaVersion}"],
            directory,
            TimeSpan.FromMinutes(10))),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Renders every case (name to template and variables as JSON) with @huggingface/jinja.</summary>
    public static IReadOnlyDictionary<string, OracleResult> RenderWithHuggingFaceJinja(IReadOnlyDictionary<string, OracleCase> cases) =>
        Run(cases, input => ("node", [Script("hf-jinja-render.mjs"), s_huggingFaceJinja.Value, input]));

    /// <summary>Renders every case with Python Jinja2 (python3 with the jinja2 module must be installed).</summary>
    public static IReadOnlyDictionary<string, OracleResult> RenderWithPythonJinja2(IReadOnlyDictionary<string, OracleCase> cases) =>
        Run(cases, input => ("python3", [Script("jinja2-render.py"), input]));

    private static string Script(string name) =>
        Path.Combine(TestPaths.RepoRoot, "tests", "OffGrid.Inference.Tests", "Templates", name);

    private static Dictionary<string, OracleResult> Run(
        IReadOnlyDictionary<string, OracleCase> cases, Func<string, (string FileName, string[] Arguments)> command)
    {
        string work = TestPaths.NewTempDir("template-oracle");
        try
        {
            string input = Path.Combine(work, "input.json");
            File.WriteAllText(input, WriteInput(cases));
            var (fileName, arguments) = command(input);
            string output = ExternalCommand.Run(fileName, arguments, work, TimeSpan.FromMinutes(5));
            using var document = JsonDocument.Parse(output);
            return document.RootElement.EnumerateObject().ToDictionary(
                property => property.Name,
                property => property.Value.TryGetProperty("output", out var text)
                    ? new OracleResult(text.GetString(), null)
                    : new OracleResult(null, property.Value.GetProperty("error").GetString()),
                StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string WriteInput(IReadOnlyDictionary<string, OracleCase> cases)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("cases");
            foreach (var (name, oracleCase) in cases)
            {
                writer.WriteStartObject(name);
                writer.WriteString("source", oracleCase.Source);
                writer.WritePropertyName("variables");
                writer.WriteRawValue(oracleCase.VariablesJson);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
