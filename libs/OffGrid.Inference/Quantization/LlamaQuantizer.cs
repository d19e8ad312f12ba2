using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.Quantization;
using OffGrid.Inference.Native;
using OffGrid.Inference.Runtime;

namespace OffGrid.Inference.Quantization;

/// <summary>
/// Writes a quantized copy of a GGUF model with llama.cpp's <c>llama_model_quantize</c> (the code behind
/// <c>llama-quantize</c>), after refusing requests that make no sense.
/// </summary>
/// <remarks>
/// <para>Progress is reported per tensor from the lines llama.cpp logs while it works (the C API has no progress
/// callback); they arrive on the quantizing thread, so concurrent quantizations do not mix.</para>
/// <para>Cancellation: the native call cannot be interrupted. A cancelled <see cref="QuantizeFileAsync"/> returns at once
/// with <see cref="OperationCanceledException"/>; llama.cpp finishes the file on its thread in the background (using CPU
/// until then) and the output is deleted as soon as it is done, so a cancelled output never appears.</para>
/// <para>Thread-safe; each call quantizes on its own thread.</para>
/// </remarks>
public sealed partial class LlamaQuantizer
{
    private readonly LlamaRuntimeOptions? _runtime;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="runtime">Where the llama.cpp runtime comes from; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Receives a line per finished quantization.</param>
    public LlamaQuantizer(LlamaRuntimeOptions? runtime = null, ILogger<LlamaQuantizer>? logger = null)
    {
        _runtime = runtime;
        _logger = logger ?? NullLogger<LlamaQuantizer>.Instance;
    }

    /// <summary>Checks a request without quantizing: the type exists, needs no importance matrix, and is smaller than the source's precision.</summary>
    /// <param name="sourcePath">The GGUF model to quantize (the first part of a split model).</param>
    /// <param name="type">A name from <see cref="QuantizationTarget.All"/>.</param>
    /// <param name="cancellationToken">Cancels reading the header.</param>
    /// <returns>The target type and the source's header.</returns>
    /// <exception cref="QuantizationException">The type is unknown or needs an importance matrix (<see cref="QuantizationTarget.NeedsImportanceMatrix"/>), the source is not GGUF, or the source is already at that precision or below.</exception>
    public static async Task<(QuantizationTarget Target, GgufFile Source)> ValidateAsync(string sourcePath, string type, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        QuantizationTarget target = QuantizationTarget.Find(type) ?? throw new QuantizationException(
            QuantizationProblem.UnknownType,
            $"'{type}' is not a quantization type llama.cpp can write; use one of {string.Join(", ", QuantizationTarget.All.Select(t => t.Name))}.");
        if (target.NeedsImportanceMatrix)
        {
            throw NeedsImportanceMatrix(target);
        }

        if (!File.Exists(sourcePath) || !GgufFile.HasGgufSignature(sourcePath))
        {
            throw new QuantizationException(QuantizationProblem.NotGguf, $"'{Path.GetFileName(sourcePath)}' is not a GGUF model file; only GGUF models can be quantized.");
        }

        GgufFile source;
        try
        {
            source = await GgufFile.ReadAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        }
        catch (GgufFormatException ex)
        {
            throw new QuantizationException(QuantizationProblem.NotGguf, $"'{Path.GetFileName(sourcePath)}' is not a valid GGUF model: {ex.Message}");
        }

        string? label = source.QuantizationLabel;
        double? sourceBits = label is null ? null
            : QuantizationTarget.Find(label)?.BitsPerWeight ?? (QuantizationType.TryParse(label, out QuantizationType? known) ? known.BitsPerWeight : null);
        if (sourceBits is { } bits && target.BitsPerWeight >= bits)
        {
            throw new QuantizationException(
                QuantizationProblem.NotSmaller,
                $"The model is {label} (about {bits.ToString("0.##", CultureInfo.InvariantCulture)} bits per weight): {target.Name} would not reduce its precision, and lost precision cannot be restored. Choose a smaller type.");
        }

        return (target, source);
    }

    /// <summary>Quantizes <paramref name="sourcePath"/> to <paramref name="type"/>, writing <paramref name="outputPath"/>.</summary>
    /// <param name="sourcePath">The GGUF model to quantize.</param>
    /// <param name="outputPath">The file to write; it must not exist. Written under a temporary name and renamed when complete.</param>
    /// <param name="type">A name from <see cref="QuantizationTarget.All"/>, for example <c>Q4_K_M</c>.</param>
    /// <param name="progress">Receives a report per tensor written.</param>
    /// <param name="cancellationToken">Returns at once; see the remarks on <see cref="LlamaQuantizer"/> for what happens to the native work.</param>
    /// <returns>The target type.</returns>
    /// <exception cref="QuantizationException">The request is refused (see <see cref="ValidateAsync"/>), the output exists, or llama.cpp failed.</exception>
    /// <exception cref="LlamaRuntimeException">The llama.cpp runtime could not be loaded.</exception>
    public async Task<QuantizationTarget> QuantizeFileAsync(string sourcePath, string outputPath, string type, IProgress<QuantizationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        (QuantizationTarget target, GgufFile source) = await ValidateAsync(sourcePath, type, cancellationToken).ConfigureAwait(false);
        if (File.Exists(outputPath))
        {
            throw new QuantizationException(QuantizationProblem.OutputExists, $"'{outputPath}' already exists; choose another output or remove it first.");
        }

        await LlamaRuntime.LoadAsync(_runtime, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        string partial = outputPath + ".partial-" + Guid.NewGuid().ToString("N");
        bool requantize = target.FileType != 0 && source.Tensors.Any(t => t.Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16));
        Task<int> native = Task.Factory.StartNew(
            () => Quantize(sourcePath, partial, target, requantize, progress),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        int fallbacks;
        try
        {
            fallbacks = await native.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = native.ContinueWith(_ => File.Delete(partial), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        try
        {
            File.Move(partial, outputPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(outputPath))
        {
            File.Delete(partial);
            throw new QuantizationException(QuantizationProblem.OutputExists, $"'{outputPath}' was created by someone else while quantizing; the result was discarded.");
        }

        _logger.LogInformation("Quantized {Source} to {Type}: {Output}", sourcePath, target.Name, outputPath);
        if (fallbacks > 0)
        {
            _logger.LogWarning("{Fallbacks} of {Tensors} tensors of {Output} were written as other types than {Type}: their rows are not a multiple of its block size.", fallbacks, source.Tensors.Count, outputPath, target.Name);
        }

        return target;
    }

    /// <returns>The number of tensors llama.cpp wrote as another type (its fallbacks).</returns>
    private static unsafe int Quantize(string source, string output, QuantizationTarget target, bool requantize, IProgress<QuantizationProgress>? progress)
    {
        int fallbacks = 0;
        LlamaModelQuantizeParams parameters = LlamaNative.llama_model_quantize_default_params();
        parameters.FileType = target.FileType;
        parameters.ThreadCount = LlamaRuntime.DefaultThreadCount;
        parameters.AllowRequantize = requantize ? (byte)1 : (byte)0;
        LlamaLogBridge.ClearLastError();
        LlamaLogBridge.LineObserver = line =>
        {
            // "warning: blk.0.attn_k.weight - ncols 64 not divisible by 256 (required for type iq1_s) -> falling back to iq4_nl"
            if (line.Contains("-> falling back to", StringComparison.Ordinal))
            {
                fallbacks++;
            }
            else if (progress is not null)
            {
                Report(line, fallbacks, progress);
            }
        };
        uint status;
        try
        {
            status = LlamaNative.llama_model_quantize(source, output, &parameters);
        }
        finally
        {
            LlamaLogBridge.LineObserver = null;
        }

        if (status != 0)
        {
            string reason = LlamaLogBridge.LastError ?? "llama.cpp gave no reason";
            throw reason.Contains("imatrix", StringComparison.OrdinalIgnoreCase) || reason.Contains("importance matrix", StringComparison.OrdinalIgnoreCase)
                ? NeedsImportanceMatrix(target)
                : new QuantizationException(QuantizationProblem.Failed, $"llama.cpp could not quantize the model to {target.Name}: {Readable(reason)}");
        }

        return fallbacks;
    }

    private static QuantizationException NeedsImportanceMatrix(QuantizationTarget target) => new(
        QuantizationProblem.NeedsImportanceMatrix,
        $"{target.Name} needs an importance matrix (imatrix), which OffGrid cannot compute yet; choose a type of 3 bits or more, such as Q3_K_M or Q4_K_M.");

    // "[   3/  12]                  blk.0.attn_q.weight - [   64,    64,     1,     1], type =    f32, converting to q8_0 .. size = …"
    private static void Report(string line, int fallbacks, IProgress<QuantizationProgress> progress)
    {
        Match match = TensorLine().Match(line);
        if (match.Success)
        {
            progress.Report(new QuantizationProgress(
                int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture),
                int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture),
                match.Groups[3].Value)
            { FallbackTensors = fallbacks });
        }
    }

    // llama.cpp pads its log columns ("ncols     64", "type    q1_0") and may log the final failure, with its function's
    // name, after the cause: one line, single spaces, the cause then the failure.
    private static string Readable(string reason) =>
        Whitespace().Replace(reason, " ").Trim().Replace(" llama_model_quantize: failed to quantize: ", "; ", StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")]
    private static partial Regex TensorLine();
}
