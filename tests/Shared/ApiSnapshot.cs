using System.Reflection;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using PublicApiGenerator;

namespace OffGrid.Testing;

/// <summary>
/// Compares the public API of a library, as PublicApiGenerator writes it (C# declarations with nullability, attributes
/// and default values), with the approved text file <c>tests/&lt;Assembly&gt;.Tests/&lt;Assembly&gt;.api.txt</c>, so that
/// public API changes are visible in review. A mismatch fails with a line diff; set <c>OFFGRID_ACCEPT_API=1</c> to
/// rewrite the approved file instead.
/// </summary>
internal static class ApiSnapshot
{
    private const int DiffContextLines = 3;

    /// <summary>Asserts that the public API of <paramref name="assembly"/> matches its approved file.</summary>
    /// <param name="assembly">A library assembly; its name picks the test folder and the file name.</param>
    public static void AssertMatchesApproved(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string name = assembly.GetName().Name!;

        // Found from the repository root rather than the caller's file path, which CI builds map to "/_/"
        // (ContinuousIntegrationBuild).
        string approvedPath = Path.Combine(TestPaths.RepoRoot, "tests", name + ".Tests", name + ".api.txt");
        AssertMatchesApproved(Render(assembly), approvedPath, accept: Environment.GetEnvironmentVariable("OFFGRID_ACCEPT_API") == "1");
    }

    /// <summary>Asserts that <paramref name="actual"/> equals the approved file, or rewrites the file when <paramref name="accept"/> is set.</summary>
    /// <param name="actual">The rendered API.</param>
    /// <param name="approvedPath">The approved file; a missing file counts as empty.</param>
    /// <param name="accept">Whether a difference rewrites the file instead of failing.</param>
    /// <exception cref="Xunit.Sdk.XunitException">The texts differ and <paramref name="accept"/> is false; the message holds the diff.</exception>
    public static void AssertMatchesApproved(string actual, string approvedPath, bool accept)
    {
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (actual == approved)
        {
            return;
        }

        if (accept)
        {
            File.WriteAllText(approvedPath, actual);
            return;
        }

        throw new Xunit.Sdk.XunitException(
            $"The public API differs from {approvedPath}. " +
            $"Review the diff (- approved, + actual) and rerun with OFFGRID_ACCEPT_API=1 to approve it.\n{Diff(approved, actual)}");
    }

    /// <summary>Renders the public API of an assembly as C# declarations, one stable text for the same API.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns>The text, with "\n" line ends.</returns>
    public static string Render(Assembly assembly) =>
        assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // OffGrid's DI extensions live in Microsoft.Extensions.DependencyInjection: they are part of its API.
            DenyNamespacePrefixes = [],

            // The compiler's record of the build (target framework, InternalsVisibleTo, version) is not API.
            IncludeAssemblyAttributes = false,

            // Nor are the state machines of async methods: their generated names change when a private member is added.
            ExcludeAttributes =
            [
                "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
                "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
                "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
            ],
        }).ReplaceLineEndings("\n") + "\n";

    private static string Diff(string approved, string actual)
    {
        List<DiffPiece> lines = InlineDiffBuilder.Diff(approved, actual, ignoreWhiteSpace: false).Lines;
        var shown = new bool[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type is ChangeType.Inserted or ChangeType.Deleted)
            {
                for (int j = Math.Max(0, i - DiffContextLines); j <= Math.Min(lines.Count - 1, i + DiffContextLines); j++)
                {
                    shown[j] = true;
                }
            }
        }

        var sb = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            if (!shown[i])
            {
                continue;
            }

            if (i > 0 && !shown[i - 1])
            {
                sb.Append("@@ line ").Append(lines[i].Position ?? i + 1).Append('\n');
            }

            string mark = lines[i].Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            sb.Append(mark).Append(lines[i].Text).Append('\n');
        }

        return sb.ToString();
    }
}
