using OffGrid.AspNetCore.Http;
using OffGrid.Inference.Quantization;

namespace OffGrid.AspNetCore.Quantization;

/// <summary>One quantization the server runs in the background; its state is read by polling.</summary>
/// <remarks>Thread-safe: progress arrives on the quantizing thread while requests read the state.</remarks>
internal sealed class QuantizationJob : IProgress<QuantizationProgress>
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Lock _gate = new();
    private QuantizationProgress _progress;
    private string _status = "running";
    private ApiError? _error;
    private DateTimeOffset? _finishedAt;

    public QuantizationJob(string model, string type, string output)
    {
        Model = model;
        Type = type;
        Output = output;
    }

    public string Id { get; } = "quant-" + Guid.NewGuid().ToString("N")[..12];

    public string Model { get; }

    public string Type { get; }

    public string Output { get; }

    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public CancellationToken CancellationToken => _cancellation.Token;

    public void Report(QuantizationProgress value)
    {
        lock (_gate)
        {
            _progress = value;
        }
    }

    public void Run(Func<QuantizationJob, Task> work) => Completion = RunAsync(work);

    public void Cancel() => _cancellation.Cancel();

    /// <summary>The job as the API shows it.</summary>
    public object ToJson()
    {
        lock (_gate)
        {
            return new
            {
                id = Id,
                @object = "quantization",
                model = Model,
                type = Type,
                output = Output,
                status = _status,
                tensor = _progress.Tensor,
                tensors = _progress.TensorCount,
                fallback_tensors = _progress.FallbackTensors,
                progress = Math.Round(_status == "succeeded" ? 1 : _progress.Fraction, 4),
                error = _error is { } e ? new { message = e.Message, code = e.Code } : null,
                created_at = CreatedAt.ToUnixTimeSeconds(),
                finished_at = _finishedAt?.ToUnixTimeSeconds(),
            };
        }
    }

    private async Task RunAsync(Func<QuantizationJob, Task> work)
    {
        string status;
        ApiError? error = null;
        try
        {
            await work(this).ConfigureAwait(false);
            status = "succeeded";
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            status = "cancelled";
        }
        catch (Exception ex)
        {
            status = "failed";
            error = ApiError.From(ex);
        }

        lock (_gate)
        {
            _status = status;
            _error = error;
            _finishedAt = DateTimeOffset.UtcNow;
        }

        // The source is not disposed: a cancel may still arrive for the finished job (it then does nothing), and a source
        // without a timer or wait handle holds nothing to release.
    }
}
