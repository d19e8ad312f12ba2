using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Audit;

/// <summary>
/// Chat middleware that records every model call in the <see cref="AuditLog"/>: who (from <see cref="CallerContext"/>),
/// when, which model, tokens in and out, status and latency; the prompt and answer only when
/// <see cref="AuditOptions.RecordContent"/> is on.
/// </summary>
/// <remarks>
/// <para>
/// Inside an HTTP request audited by the ASP.NET Core integration, the call is added to that request's entry instead, so a
/// request gives one entry with its route and its model use. Elsewhere (an embedded app) each call is its own entry with the
/// route <see cref="Route"/>.
/// </para>
/// <para>
/// The entry is written after the call ends, failed or cancelled calls included (status 4xx/499/500, see
/// <see cref="GovernanceErrors"/>). A stream the consumer stops early is recorded when the enumerator is disposed.
/// Thread-safe when the inner client is.
/// </para>
/// </remarks>
public sealed class AuditChatClient : DelegatingChatClient
{
    private readonly AuditLog _log;

    /// <summary>Wraps <paramref name="innerClient"/> with auditing.</summary>
    /// <param name="innerClient">The audited client.</param>
    /// <param name="log">Where entries go.</param>
    public AuditChatClient(IChatClient innerClient, AuditLog log)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(log);
        _log = log;
    }

    /// <summary>Gets or sets the route recorded for calls outside an HTTP request; <c>chat</c> by default.</summary>
    public string Route { get; set; } = "chat";

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = new Call(this, messages, options);
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            call.Usage(response.Usage);
            call.Answer(response.Text);
            await call.EndAsync(null).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            await call.EndAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = new Call(this, messages, options);
        Exception? failure = new OperationCanceledException("The consumer stopped reading the stream.");
        try
        {
            await using IAsyncEnumerator<ChatResponseUpdate> updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }

                foreach (AIContent content in updates.Current.Contents)
                {
                    if (content is UsageContent usage)
                    {
                        call.Usage(usage.Details);
                    }
                }

                call.Answer(updates.Current.Text);
                yield return updates.Current;
            }

            failure = null;
        }
        finally
        {
            await call.EndAsync(failure).ConfigureAwait(false);
        }
    }

    /// <summary>One audited call: its start, the caller, and what it used.</summary>
    private sealed class Call
    {
        private readonly AuditChatClient _owner;
        private readonly Caller? _caller;
        private readonly string? _model;
        private readonly string? _prompt;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly DateTimeOffset _startedAt;
        private readonly StringBuilder? _answer;
        private long? _inputTokens;
        private long? _outputTokens;

        public Call(AuditChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            _owner = owner;
            _startedAt = owner._log.Now;
            _caller = CallerContext.Resolve(options);
            _model = options?.ModelId ?? owner.GetService<ChatClientMetadata>()?.DefaultModelId;
            if (owner._log.Options.RecordContent)
            {
                _prompt = string.Join('\n', messages.Select(m => $"{m.Role}: {m.Text}"));
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
            if (AuditScope.Current is { } request)
            {
                request.AddModelCall(_model, _inputTokens, _outputTokens, _prompt, answer);
                return;
            }

            await _owner._log.AppendAsync(new AuditEvent
            {
                Timestamp = _startedAt,
                UserName = _caller?.UserName,
                KeyId = _caller?.KeyId,
                ClientAddress = _caller?.ClientAddress,
                Route = _owner.Route,
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
}
