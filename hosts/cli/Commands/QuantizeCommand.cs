using System.CommandLine;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Hub.Store;
using OffGrid.Inference.Quantization;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid quantize &lt;model&gt; &lt;type&gt; [--output name]</c>: writes a quantized copy of a model into the store.</summary>
internal sealed class QuantizeCommand : Command
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Argument<string> _model = new Argument<string>("model") { Description = "A stored or configured model, or a path to a .gguf file (F32, F16, BF16 or a larger quantization)." }.RejectingOptions();
    private readonly Argument<string> _type = new Argument<string>("type") { Description = $"The quantization, as llama.cpp names it: {string.Join(", ", QuantizationTarget.All.Select(t => t.Name))}." }.RejectingOptions();
    private readonly Option<string?> _output = new("--output", "-o") { Description = "The new model's store name; defaults to the source's name with -<TYPE> (local/<name>-<TYPE>)." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the new model's manifest as JSON." };

    /// <summary>Creates the command.</summary>
    public QuantizeCommand(CliConsole console, HubServices hub)
        : base("quantize", CommandHelp.Describe(
            "Quantize a model on this machine with llama.cpp into a new store entry (smaller and faster, slightly less accurate). " +
            "Types that need an importance matrix (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, Q2_K_S) are refused. " +
            "Tensors whose rows do not fit the type's blocks are written as another type by llama.cpp; a warning counts them.",
            "offgrid quantize local/my-model-F16 Q4_K_M",
            "offgrid quantize ./model-f32.gguf Q8_0 --output local/model-q8"))
    {
        _console = console;
        _hub = hub;
        Add(_model);
        Add(_type);
        Add(_output);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var quantizer = new ModelQuantizer(_hub.Resolver, new LlamaQuantizer());
        (_, QuantizationTarget target, string output) = await quantizer.ValidateAsync(parse.GetRequiredValue(_model), parse.GetRequiredValue(_type), parse.GetValue(_output), cancellationToken).ConfigureAwait(false);
        await RuntimeLoader.LoadAsync(_console, options: null, cancellationToken).ConfigureAwait(false);

        // One line per tenth: readable in a terminal and in a log alike.
        int shownTenths = -1;
        int fallbacks = 0;
        var progress = new SynchronousProgress<QuantizationProgress>(p =>
        {
            fallbacks = p.FallbackTensors;
            int tenths = (int)(p.Fraction * 10);
            if (tenths > shownTenths)
            {
                shownTenths = tenths;
                _console.Error.MarkupLineInterpolated($"[grey]Quantizing to {target.Name}: {tenths * 10}% (tensor {p.Tensor}/{p.TensorCount}, {p.TensorName})[/]");
            }
        });
        ModelManifest manifest = await quantizer.QuantizeAsync(parse.GetRequiredValue(_model), target.Name, output, progress, cancellationToken).ConfigureAwait(false);
        if (fallbacks > 0)
        {
            _console.Error.MarkupLineInterpolated(
                $"[yellow]Warning: llama.cpp wrote {fallbacks} of {manifest.Name}'s tensors as other types than {target.Name}: their rows are not a multiple of its block size. The store labels the copy by the type llama.cpp recorded in it.[/]");
        }

        if (parse.GetValue(_json))
        {
            _console.WriteJson(ModelListing.From(manifest));
        }
        else
        {
            _console.Out.MarkupLineInterpolated($"[green]{manifest.Name}[/] ({manifest.Quantization}, {ByteSize.Format(manifest.SizeBytes)}) is ready: {manifest.PrimaryFilePath}");
            _console.Error.MarkupLineInterpolated($"[grey]Run it with: offgrid run {manifest.Name}[/]");
        }

        return 0;
    }
}
