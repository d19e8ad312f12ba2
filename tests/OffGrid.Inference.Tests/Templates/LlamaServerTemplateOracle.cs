using System.Text;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// llama.cpp's own rendering of chat templates, as llama-server's <c>/apply-template</c> does it: a small C++ program
/// (<c>llama-apply-template.cpp</c>) compiled once against the headers of the pinned llama.cpp sources and linked to the
/// runtime's prebuilt <c>libllama-common.so</c>, which holds llama.cpp's chat-template code (its Jinja engine, template
/// capability probes and per-family handlers). Building the whole llama-server would take a quarter of an hour.
/// </summary>
/// <remarks>Needs g++ (C++17). The binary is cached under the test cache, keyed by the program's source.</remarks>
internal static class LlamaServerTemplateOracle
{
    private const string SourceFile = "llama-apply-template.cpp";

    /// <summary>Renders every case with llama.cpp; <paramref name="now"/> is the time <c>strftime_now</c> sees.</summary>
    public static IReadOnlyDictionary<string, OracleResult> Render(IReadOnlyDictionary<string, LlamaServerCase> cases, DateTimeOffset now, string libraryDirectory)
    {
        string program = Build(libraryDirectory);
        string work = TestPaths.NewTempDir("apply-template");
        try
        {
            foreach ((string name, LlamaServerCase c) in cases)
            {
                string dir = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
                File.WriteAllText(Path.Combine(dir, "template.jinja"), c.Template);
                File.WriteAllText(Path.Combine(dir, "bos.txt"), c.BosToken);
                File.WriteAllText(Path.Combine(dir, "eos.txt"), c.EosToken);
                File.WriteAllText(Path.Combine(dir, "messages.json"), c.MessagesJson);
                File.WriteAllText(Path.Combine(dir, "tools.json"), c.ToolsJson);
            }

            ExternalCommand.Run(program, [work, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)], work, TimeSpan.FromMinutes(5));
            return cases.Keys.ToDictionary(
                name => name,
                name =>
                {
                    string prompt = Path.Combine(work, name, "prompt.txt");
                    return File.Exists(prompt)
                        ? new OracleResult(File.ReadAllText(prompt, Encoding.UTF8), null)
                        : new OracleResult(null, File.ReadAllText(Path.Combine(work, name, "error.txt"), Encoding.UTF8));
                },
                StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Build(string libraryDirectory)
    {
        string source = Path.Combine(TestPaths.RepoRoot, "tests", "OffGrid.Inference.Tests", "Templates", SourceFile);
        string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(source)))[..12];
        string dir = CachedAsset.GetOrCreate($"llama-apply-template-{LlamaCppSources.NodeLlamaCppVersion}-{key}", output =>
        {
            string root = LlamaCppSources.SourceDir;
            ExternalCommand.Run(
                "g++",
                [
                    "-std=c++17", "-O1", "-o", Path.Combine(output, "llama-apply-template"), source,
                    "-I" + Path.Combine(root, "common"), "-I" + LlamaCppSources.IncludeDir, "-I" + LlamaCppSources.GgmlIncludeDir, "-I" + Path.Combine(root, "vendor"),
                    "-L" + libraryDirectory, "-l:libllama-common.so", "-l:" + LibraryName(libraryDirectory, "libllama."), "-l:" + LibraryName(libraryDirectory, "libggml."), "-l:libggml-base.so",
                    "-Wl,-rpath," + libraryDirectory,
                ],
                output,
                TimeSpan.FromMinutes(10));
        });
        return Path.Combine(dir, "llama-apply-template");
    }

    // The versioned file name, e.g. libllama.v0.4.0.so.
    private static string LibraryName(string directory, string prefix) =>
        Path.GetFileName(Directory.GetFiles(directory, prefix + "*so").Single());
}

/// <summary>One conversation for llama.cpp: a template, its BOS/EOS texts, and the request's messages and tools in OpenAI's JSON.</summary>
internal sealed record LlamaServerCase(string Template, string BosToken, string EosToken, string MessagesJson, string ToolsJson);
