using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Signing;
using OffGrid.Inference.Runtime;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid package create</c>: writes a signed offline package to a folder (a USB stick) or a .tar file.</summary>
internal sealed class PackageCreateCommand : Command
{
    private readonly CliConsole _console;
    private readonly DistributionServices _distribution;
    private readonly Argument<string> _output = new Argument<string>("output") { Description = "A folder (created; an interrupted run resumes there) or a file ending in .tar." }.RejectingOptions();
    private readonly Option<string[]> _models = new("--model", "-m") { Description = "A model from the store to include (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _runtimes = new("--runtime") { Description = $"llama.cpp runtime platforms to include, comma-separated: {string.Join(", ", LlamaRuntimeCatalog.Packages.Select(p => p.Platform))}." };
    private readonly Option<string?> _tool = new("--tool") { Description = "The offgrid tool package (.nupkg) to include; by default the one this offgrid was installed from." };
    private readonly Option<bool> _noTool = new("--no-tool") { Description = "Leave the offgrid tool out (the target has it already)." };
    private readonly Option<bool> _unsigned = new("--unsigned") { Description = "Do not sign the package (importers refuse it unless they pass --allow-unsigned)." };
    private readonly Option<bool> _json = new("--json") { Description = "Write what was packaged as JSON." };

    /// <summary>Creates the command.</summary>
    public PackageCreateCommand(CliConsole console, DistributionServices distribution)
        : base("create", CommandHelp.Describe(
            "Write an offline package: models from the store, llama.cpp runtimes, the offgrid tool, install.sh and install.ps1, and a manifest with every file's SHA-256, signed with this machine's publisher key.",
            "offgrid package create /media/usb/offgrid --model llama3.2 --runtime linux-x64,win-x64",
            "offgrid package create bundle.tar -m qwen2.5-0.5b -m stories260k --runtime linux-x64",
            "offgrid package create ./out --model my-model --no-tool --unsigned"))
    {
        _console = console;
        _distribution = distribution;
        Add(_output);
        Add(_models);
        Add(_runtimes);
        Add(_tool);
        Add(_noTool);
        Add(_unsigned);
        Add(_json);
        Validators.Add(result =>
        {
            if (result.GetValue(_tool) is not null && result.GetValue(_noTool))
            {
                result.AddError("--tool and --no-tool cannot be used together.");
            }
        });
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string? tool = parse.GetValue(_noTool) ? null : parse.GetValue(_tool) ?? OwnToolPackage.Find()
            ?? throw new PackageException(
                PackageProblem.InvalidRequest,
                "The offgrid tool package was not found beside this installation; pass --tool <file.nupkg> (from 'dotnet pack hosts/cli -c Release') or --no-tool.");
        using PublisherKeyPair? signer = parse.GetValue(_unsigned) ? null : await LoadKeyAsync(cancellationToken).ConfigureAwait(false);
        var request = new PackageCreateRequest
        {
            OutputPath = parse.GetRequiredValue(_output),
            Models = parse.GetValue(_models) ?? [],
            RuntimePlatforms = [.. (parse.GetValue(_runtimes) ?? []).SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
            ToolPackagePath = tool,
            Signer = signer,
        };
        PackageCreateResult result = await TransferProgress.RunAsync(_console.Error, "Packaging", progress => _distribution.Builder.CreateAsync(request, progress, cancellationToken)).ConfigureAwait(false);
        PackageManifest manifest = result.Manifest;
        if (parse.GetValue(_json))
        {
            _console.WriteJson(new
            {
                result.Path,
                result.Resumed,
                Signed = manifest.Publisher is not null,
                Publisher = manifest.Publisher?.Name,
                manifest.Publisher?.KeyId,
                Files = manifest.Files.Count,
                manifest.TotalBytes,
                Models = manifest.Models.Select(m => m.Name),
                Runtimes = manifest.Runtimes.Select(r => r.Platform),
                Tool = manifest.Tool?.Version,
            });
            return 0;
        }

        string signedBy = manifest.Publisher is { } p ? $"signed by {p.Name} ({p.KeyId})" : "unsigned";
        _console.Out.MarkupLineInterpolated($"[green]Created[/] {result.Path}: {manifest.Models.Count} model(s), {manifest.Runtimes.Count} runtime(s), {(manifest.Tool is null ? "no tool" : "offgrid " + manifest.Tool.Version)}, {ByteSize.Format(manifest.TotalBytes)}, {signedBy}{(result.Resumed ? " (resumed)" : string.Empty)}.");
        string keyOption = manifest.Publisher is { } publisher ? $" --publisher-key-id {publisher.KeyId}" : " --allow-unsigned";
        _console.Error.MarkupLineInterpolated($"[grey]On the offline machine: sh install.sh{keyOption} (in the package folder), or offgrid package import <package>.[/]");
        return 0;
    }

    private async Task<PublisherKeyPair> LoadKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _distribution.LoadPublisherKeyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PublisherKeyException ex) when (!File.Exists(_distribution.Options.GetPublisherKeyFile()))
        {
            throw new PublisherKeyException(ex.Message + " Or pass --unsigned for an unsigned package.", ex);
        }
    }
}
