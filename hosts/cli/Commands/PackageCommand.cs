using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid package</c>: signed offline packages for air-gapped machines, and the publisher keys that sign them.</summary>
internal sealed class PackageCommand : Command
{
    /// <summary>Creates <c>offgrid package</c> and its subcommands.</summary>
    public PackageCommand(CliConsole console, DistributionServices distribution)
        : base("package", "Create, verify and import signed offline packages (models, the llama.cpp runtime, the offgrid tool and installers) for machines without network.")
    {
        Add(new PackageCreateCommand(console, distribution));
        Add(new PackageVerifyCommand(console, distribution));
        Add(new PackageImportCommand(console, distribution));
        Add(new PackageKeyCommand(console, distribution));
    }
}
