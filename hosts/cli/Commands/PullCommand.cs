using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Distribution.Peers;
using OffGrid.Hub.Store;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid pull &lt;model&gt;</c> and <c>offgrid download-hf &lt;repo&gt; --quant Q4_K_M</c>: downloads a model into the
/// local store, resuming an interrupted download.
/// </summary>
internal sealed class PullCommand : Command
{
    private readonly CliConsole _console;
    private readonly ModelLocator _locator;
    private readonly DistributionServices? _distribution;
    private readonly Argument<string> _model;
    private readonly Option<string?> _quant = new("--quant", "-q") { Description = "The quantization to download (for example Q4_K_M); by default the best one that fits this machine." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the stored model's manifest as JSON." };

    private PullCommand(string name, string description, string argumentDescription, CliConsole console, ModelLocator locator, DistributionServices? distribution)
        : base(name, description)
    {
        _console = console;
        _locator = locator;
        _distribution = distribution;
        _model = new Argument<string>(name == "pull" ? "model" : "repo") { Description = argumentDescription }.RejectingOptions();
        Add(_model);
        Add(_quant);
        Add(_json);
        if (distribution is not null)
        {
            Validators.Add(result =>
            {
                string? model = result.GetValue(_model);
                if (model?.StartsWith(PeerModelReference.Prefix, StringComparison.OrdinalIgnoreCase) == true && !PeerModelReference.TryParse(model, out _))
                {
                    result.AddError($"'{model}' needs a peer and a model: peer:<peer>/<model>, e.g. peer:*/stories260k (see 'offgrid peers').");
                }
                else if (result.GetValue(_quant) is not null && PeerModelReference.TryParse(model, out _))
                {
                    result.AddError("--quant does not apply to peer: references; name the peer's model exactly (see 'offgrid peers <peer>').");
                }
            });
        }

        SetAction(ExecuteAsync);
    }

    /// <summary>Creates <c>offgrid pull</c>.</summary>
    public static PullCommand Pull(CliConsole console, ModelLocator locator, DistributionServices distribution) => new(
        "pull",
        CommandHelp.Describe(
            "Download a model into the local store (the best variant for this machine unless a quantization is given), or from LAN peers of this network with peer:<peer>/<model>. Ctrl+C stops; the next pull resumes.",
            "offgrid pull llama3.2",
            "offgrid pull bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M",
            "offgrid pull ggml-org/models/tinyllamas/stories260K.gguf",
            "offgrid pull 'peer:*/bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M'",
            "offgrid pull peer:lab-2,lab-3/local/my-model"),
        "An alias (llama3.2), owner/repo[:quant], owner/repo/path/file.gguf, or peer:<peer>/<model> (peer: a name, id, host:port, a comma-separated list, or * for all).",
        console,
        locator,
        distribution);

    /// <summary>Creates <c>offgrid download-hf</c>.</summary>
    public static PullCommand DownloadHuggingFace(CliConsole console, ModelLocator locator) => new(
        "download-hf",
        CommandHelp.Describe(
            "Download a GGUF model from a Hugging Face repository (or the mirror in HF_ENDPOINT) into the local store.",
            "offgrid download-hf bartowski/Llama-3.2-3B-Instruct-GGUF --quant Q4_K_M",
            "HF_TOKEN=hf_... offgrid download-hf my-org/private-model-GGUF"),
        "The repository, owner/repo.",
        console,
        locator,
        distribution: null);

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string model = parse.GetRequiredValue(_model);
        if (parse.GetValue(_quant) is { } quant)
        {
            model = model + ":" + quant;
        }

        ModelManifest manifest;
        if (_distribution is not null && PeerModelReference.TryParse(model, out PeerModelReference? peerModel))
        {
            PeerDownloadResult download = await TransferProgress.RunAsync(
                _console.Error, $"Pulling {peerModel.Model} from peers", progress => _distribution.Peers.DownloadAsync(peerModel, progress, cancellationToken)).ConfigureAwait(false);
            manifest = download.Model;
            if (download.BytesByPeer.Count > 0)
            {
                _console.Error.MarkupLineInterpolated($"[grey]From {string.Join(", ", download.BytesByPeer.Select(p => $"{p.Key} ({ByteSize.Format(p.Value)})"))}[/]");
            }
        }
        else
        {
            manifest = await _locator.PullAsync(model, cancellationToken).ConfigureAwait(false);
        }

        if (parse.GetValue(_json))
        {
            _console.WriteJson(ModelListing.From(manifest));
        }
        else
        {
            _console.Out.MarkupLineInterpolated($"[green]{manifest.Name}[/] ({ByteSize.Format(manifest.SizeBytes)}) is ready: {manifest.PrimaryFilePath}");
            _console.Error.MarkupLineInterpolated($"[grey]Run it with: offgrid run {manifest.Name}[/]");
        }

        return 0;
    }
}
