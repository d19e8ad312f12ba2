using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Audit;

/// <summary>
/// One model call under audit, from its start to its entry: the caller, the model, tokens, and the content when the log
/// records content. Inside an HTTP request audited by the ASP.NET Core integration the call joins that request's entry;
/// elsewhere, or after that entry was written (background work the request started), it is an entry of its own. Not thread-safe: one call, one consumer.
/// </summary>
internal sealed class AuditedCall
{
    private readonly AuditLog _log;
    private readonly string _route;
    private readonly Caller? _caller;
    private readonly string? _model;
    private readonly string? _prompt;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startedAt;
    private readonly StringBuilder? _answer;
    private long? _inputTokens;
    private long? _outputTokens;

    /// <param name="log">Where the entry goes.</param>
    /// <param name="route">The route recorded for a call outside an HTTP request.</param>
    /// <param name="caller">Who called, when known.</param>
    /// <param name="model">The model called, when known.</param>
    /// <param name="prompt">Builds the recorded input; called only when the log records content.</param>
    public AuditedCall(AuditLog log, string route, Caller? caller, string? model, Func<string> prompt)
    {
        _log = log;
        _route = route;
        _caller = caller;
        _model = model;
        _startedAt = log.Now;
        if (log.Options.RecordContent)
        {
            _prompt = prompt();
            _answer = new StringBuilder();
        }
    }

    public void Usage(UsageDetails? usage)
    {
        if (usage is not null)
        {
            _inputTokens = (_inputTokens ?? 0) + (usage.InputTokenCount ?? 0);
            _outputTokens = (_outputTokens ?? 0) + (usage.OutputTokenCount ?? 0);
        }
    }

    public void Answer(string text) => _answer?.Append(text);

    public async Task EndAsync(Exception? failure)
    {
        string? answer = _answer is { Length: > 0 } ? _answer.ToString() : null;
        AuditScope? request = AuditScope.Current;
        if (request?.TryAddModelCall(_model, _inputTokens, _outputTokens, _prompt, answer) == true)
        {
            return;
        }

        await _log.AppendAsync(new AuditEvent
        {
            Timestamp = _startedAt,
            UserName = _caller?.UserName,
            KeyId = _caller?.KeyId,
            ClientAddress = _caller?.ClientAddress,
            Route = request?.Route ?? _route,
            Model = _model,
            InputTokens = _inputTokens,
            OutputTokens = _outputTokens,
            Status = GovernanceErrors.GetCallStatus(failure),
            Latency = Stopwatch.GetElapsedTime(_started),
            Prompt = _prompt,
            Answer = answer,
        }, CancellationToken.None).ConfigureAwait(false);
    }
}
