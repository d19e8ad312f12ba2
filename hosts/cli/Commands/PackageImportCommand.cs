using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Packages;
using OffGrid.Hub.Store;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid package import</c>: verifies a package completely, then adds its models to the store and installs its runtime.</summary>
internal sealed class PackageImportCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;
    private readonly Argument<string> _path = new Argument<string>("package") { Description = "The package folder or .tar file." }.RejectingOptions();
    private readonly Option<bool> _allowUnsigned = new("--allow-unsigned") { Description = "Accept a package without a signature (its files are still checked)." };
    private readonly Option<bool> _noRuntime = new("--no-runtime") { Description = "Do not install the package's llama.cpp runtime." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the imported models as JSON." };

    /// <summary>Creates the command.</summary>
    public PackageImportCommand(CliConsole console, DistributionServices distribution)
        : base("import", CommandHelp.Describe(
            "Verify a package (signature and every file) and only then add its models to the store and install its llama.cpp runtime for this machine. A model appears whole or not at all.",
            "offgrid package import /media/usb/offgrid",
            "offgrid package import bundle.tar --no-runtime"))
    {
        _console = console;
        _distribution = distribution;
        Add(_path);
        Add(_allowUnsigned);
        Add(_noRuntime);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new PackageImportOptions { AllowUnsigned = parse.GetValue(_allowUnsigned), InstallRuntime = !parse.GetValue(_noRuntime) };
        PackageImportResult result = await TransferProgress.RunAsync(
            _console.Error,
            "Importing the package",
            progress => _distribution.Importer.ImportAsync(parse.GetRequiredValue(_path), options, progress, cancellationToken)).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(new { Models = result.Models.Select(ModelListing.From), result.RuntimeDirectory, result.Notes });
            return 0;
        }

        string origin = result.Package.Publisher is { } p ? $"signed by {p.Key.Name} ({p.Key.KeyId})" : "unsigned (allowed)";
        _console.Out.MarkupLineInterpolated($"[green]Imported[/] the package, {origin}:");
        foreach (ModelManifest model in result.Models)
        {
            _console.Out.MarkupLineInterpolated($"  {model.Name} ({ByteSize.Format(model.SizeBytes)})");
        }

        if (result.RuntimeDirectory is { } runtime)
        {
            _console.Out.MarkupLineInterpolated($"  llama.cpp runtime in {runtime}");
        }

        foreach (string note in result.Notes)
        {
            _console.Error.MarkupLineInterpolated($"[yellow]{note}[/]");
        }

        if (result.Models.Count > 0)
        {
            _console.Error.MarkupLineInterpolated($"[grey]Run it with: offgrid run {result.Models[0].Name}[/]");
        }

        return 0;
    }
}
