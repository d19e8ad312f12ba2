using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Packages;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid package verify</c>: checks a package's signature and every file without importing anything.</summary>
internal sealed class PackageVerifyCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;
    private readonly Argument<string> _path = new Argument<string>("package") { Description = "The package folder or .tar file." }.RejectingOptions();
    private readonly Option<bool> _allowUnsigned = new("--allow-unsigned") { Description = "Accept a package without a signature (its files are still checked)." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the verified manifest as JSON." };

    /// <summary>Creates the command.</summary>
    public PackageVerifyCommand(CliConsole console, DistributionServices distribution)
        : base("verify", CommandHelp.Describe(
            "Check a package: its signature against the trusted publisher keys, every path, and the size and SHA-256 of every file. Nothing is imported.",
            "offgrid package verify /media/usb/offgrid",
            "offgrid package verify bundle.tar --json"))
    {
        _console = console;
        _distribution = distribution;
        Add(_path);
        Add(_allowUnsigned);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        VerifiedPackage package = await TransferProgress.RunAsync(
            _console.Error,
            "Verifying the package",
            progress => _distribution.Verifier.VerifyAsync(parse.GetRequiredValue(_path), parse.GetValue(_allowUnsigned), progress, cancellationToken)).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(new { package.Path, Signed = package.IsSigned, Publisher = package.Publisher?.Key.Name, package.Publisher?.Key.KeyId, package.Manifest });
            return 0;
        }

        string origin = package.Publisher is { } p ? $"signed by {p.Key.Name} ({p.Key.KeyId})" : "unsigned (allowed)";
        _console.Out.MarkupLineInterpolated($"[green]The package is intact[/]: {package.Manifest.Files.Count} files, {ByteSize.Format(package.Manifest.TotalBytes)}, {origin}, created {package.Manifest.CreatedAt:yyyy-MM-dd HH:mm} UTC.");
        foreach (PackageModel model in package.Manifest.Models)
        {
            _console.Out.MarkupLineInterpolated($"  model    {model.Name}");
        }

        foreach (PackageRuntime runtime in package.Manifest.Runtimes)
        {
            _console.Out.MarkupLineInterpolated($"  runtime  {runtime.Platform} ({runtime.Package}@{runtime.Version}, llama.cpp {runtime.LlamaCppRelease})");
        }

        if (package.Manifest.Tool is { } tool)
        {
            _console.Out.MarkupLineInterpolated($"  tool     {tool.PackageId} {tool.Version}");
        }

        return 0;
    }
}
