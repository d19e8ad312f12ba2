using System.Text;

namespace OffGrid.Governance.Audit;

/// <summary>
/// The audit record of one HTTP request while it runs: the ASP.NET Core integration opens it, <see cref="AuditChatClient"/>
/// adds the model calls made on the request's behalf, and the request's single audit entry is written from it at the end.
/// Work the request started in the background (an agent run) keeps the scope after that end: its later calls are refused
/// by <see cref="TryAddModelCall"/> and become entries of their own, so none is lost.
/// </summary>
/// <remarks>Thread-safe: a request may make model calls in parallel.</remarks>
internal sealed class AuditScope
{
    private static readonly AsyncLocal<AuditScope?> s_current = new();

    private readonly Lock _gate = new();
    private readonly StringBuilder _prompt = new();
    private readonly StringBuilder _answer = new();
    private string? _model;
    private long? _inputTokens;
    private long? _outputTokens;
    private bool _completed;

    public static AuditScope? Current => s_current.Value;

    public string? Model
    {
        get
        {
            lock (_gate)
            {
                return _model;
            }
        }
    }

    /// <summary>Gets the route of the request, which a call made after its entry was written records as its own.</summary>
    public string Route { get; private init; } = "/";

    public static AuditScope Begin(string route)
    {
        var scope = new AuditScope { Route = route };
        s_current.Value = scope;
        return scope;
    }

    /// <summary>Adds a model call to the request's entry, unless that entry was already written.</summary>
    /// <returns><see langword="false"/> when the request's entry is written: the call needs an entry of its own.</returns>
    public bool TryAddModelCall(string? model, long? inputTokens, long? outputTokens, string? prompt, string? answer)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _model ??= model;
            _inputTokens = Sum(_inputTokens, inputTokens);
            _outputTokens = Sum(_outputTokens, outputTokens);
            Append(_prompt, prompt);
            Append(_answer, answer);
            return true;
        }
    }

    /// <summary>Fills the model fields of <paramref name="auditEvent"/> from the calls recorded.</summary>
    public AuditEvent Complete(AuditEvent auditEvent)
    {
        lock (_gate)
        {
            _completed = true;
            return auditEvent with
            {
                Model = _model,
                InputTokens = _inputTokens,
                OutputTokens = _outputTokens,
                Prompt = _prompt.Length > 0 ? _prompt.ToString() : null,
                Answer = _answer.Length > 0 ? _answer.ToString() : null,
            };
        }
    }

    private static long? Sum(long? total, long? add) => add is null ? total : (total ?? 0) + add;

    private static void Append(StringBuilder builder, string? text)
    {
        if (text is null)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append("\n---\n");
        }

        builder.Append(text);
    }
}
