using System.Text;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Readme;

/// <summary>The shell commands of the repository's README.md: every line of its <c>bash</c>/<c>sh</c> code blocks, continuation lines joined.</summary>
internal static class ReadmeCommands
{
    /// <summary>The README's shell blocks, each as its commands in order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Blocks { get; } = Parse(File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md")));

    /// <summary>Every command of every block.</summary>
    public static IEnumerable<string> All => Blocks.SelectMany(b => b);

    /// <summary>Splits Markdown into shell blocks and commands; a trailing <c>\</c> continues a command on the next line.</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> Parse(IEnumerable<string> markdown)
    {
        var blocks = new List<IReadOnlyList<string>>();
        List<string>? block = null;
        var command = new StringBuilder();
        foreach (string line in markdown)
        {
            string fence = line.Trim();
            if (block is null)
            {
                if (fence is "```bash" or "```sh" or "```shell")
                {
                    block = [];
                }

                continue;
            }

            if (fence == "```")
            {
                blocks.Add(block);
                block = null;
                continue;
            }

            if (command.Length == 0 && (fence.Length == 0 || fence.StartsWith('#')))
            {
                continue;
            }

            command.Append(line.TrimEnd());
            if (line.TrimEnd().EndsWith('\\'))
            {
                command.Append('\n');
                continue;
            }

            block.Add(command.ToString().Trim());
            command.Clear();
        }

        Assert.Null(block); // an unclosed block
        return blocks;
    }
}
