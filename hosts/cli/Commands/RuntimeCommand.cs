using System.CommandLine;
using OffGrid.Cli.Output;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid runtime</c>: the group of commands about the llama.cpp native runtime.</summary>
internal sealed class RuntimeCommand : Command
{
    /// <summary>Creates <c>offgrid runtime</c> and its subcommands.</summary>
    public RuntimeCommand(CliConsole console)
        : base("runtime", "Manage the llama.cpp native runtime (installed automatically on first use).")
    {
        Add(new RuntimeInstallCommand(console));
    }
}
