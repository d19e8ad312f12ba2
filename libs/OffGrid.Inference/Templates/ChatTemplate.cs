using OffGrid.Inference.Templates.Jinja;

namespace OffGrid.Inference.Templates;

/// <summary>
/// A model's Jinja2 chat template (the GGUF <c>tokenizer.chat_template</c>), parsed once and rendered into prompts
/// for <see cref="Microsoft.Extensions.AI.ChatMessage"/> conversations with the same variables and whitespace rules as
/// Hugging Face transformers.
/// </summary>
/// <remarks>
/// Instances are immutable and thread-safe: parse once per model and call <see cref="Render"/> concurrently.
/// Rendering is pure except for the date (<c>strftime_now</c>, <c>date_string</c>, <c>datetime</c>), which comes from
/// <see cref="ChatTemplateContext.TimeProvider"/>. Rendering follows llama.cpp (llama-server's <c>/apply-template</c>),
/// byte for byte on the templates llama.cpp ships: <c>enable_thinking</c> is always defined, tool call arguments are
/// objects (a template that fails on objects is retried once with the arguments text, the original text where the call
/// carries it), undefined values are lenient as in llama.cpp's engine, a system message goes into the next message
/// where the template has no system role (Gemma 2), and older Gemma 4 templates get tool results inside the assistant
/// turn (<c>tool_responses</c>).
/// </remarks>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly bool _toolResponsesInAssistantTurn;
    private readonly bool _supportsSystemRole;

    private ChatTemplate(string source, JinjaTemplate template)
    {
        Source = source;
        _template = template;

        // Gemma 4 templates before the one that reads OpenAI-style tool messages expect results in the assistant turn.
        _toolResponsesInAssistantTurn = source.Contains("'<|tool_call>call:'", StringComparison.Ordinal)
            && !source.Contains("{#- OpenAI Chat Completions:", StringComparison.Ordinal);
        SupportsThinking = ProbeThinking();
        _supportsSystemRole = ProbeSystemRole();
    }

    /// <summary>The template source text.</summary>
    public string Source { get; }

    /// <summary>
    /// Whether the template lets the model think (<c>enable_thinking</c> opens or closes a reasoning block where the answer
    /// starts): then thinking is on unless <see cref="ChatTemplateContext.EnableThinking"/> turns it off, as in llama.cpp.
    /// </summary>
    public bool SupportsThinking { get; }

    /// <summary>Parses a chat template.</summary>
    /// <param name="source">The Jinja2 source, as stored in <c>tokenizer.chat_template</c>.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatTemplateException">The template is not valid or uses an unsupported construct.</exception>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, JinjaTemplate.Parse(source));
    }

    /// <summary>Renders the prompt for a conversation.</summary>
    /// <param name="context">The conversation, tools and flags.</param>
    /// <returns>The prompt text, to be tokenized with special tokens parsed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatTemplateRaisedException">The template rejected the conversation through <c>raise_exception</c>.</exception>
    /// <exception cref="ChatTemplateException">Rendering failed.</exception>
    public string Render(ChatTemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return _template.Render(Variables(context, argumentsAsJsonText: false), context.TimeProvider);
        }
        catch (ChatTemplateException error) when (error is not ChatTemplateRaisedException && ChatTemplateVariables.HasToolCalls(context))
        {
            // A few templates (functionary v3.2, for one) concatenate tool call arguments as JSON text, the OpenAI wire
            // form, and fail on objects; llama.cpp detects this too and passes text to them.
            try
            {
                return _template.Render(Variables(context, argumentsAsJsonText: true), context.TimeProvider);
            }
            catch (ChatTemplateException)
            {
                throw error;
            }
        }
    }

    /// <summary>The variables the template is rendered with for <paramref name="context"/>.</summary>
    internal Dictionary<string, object?> Variables(ChatTemplateContext context, bool argumentsAsJsonText) =>
        ChatTemplateVariables.Create(context, new ChatTemplateVariables.Settings(argumentsAsJsonText, SupportsThinking, _toolResponsesInAssistantTurn, !_supportsSystemRole));

    // Like llama.cpp: a template supports the system role when a system message's text reaches the prompt.
    private bool ProbeSystemRole()
    {
        const string Marker = "System message";
        var probe = new ChatTemplateContext(
            [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.System, Marker), new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "User message")]);
        try
        {
            return _template.Render(ChatTemplateVariables.Create(probe, new ChatTemplateVariables.Settings(false, false, false, false)), probe.TimeProvider).Contains(Marker, StringComparison.Ordinal);
        }
        catch (ChatTemplateException)
        {
            return false;
        }
    }

    // A lone user message rendered with thinking off and on, judged as llama.cpp judges it (see ThinkingSupport).
    private bool ProbeThinking()
    {
        string Probe(bool thinking)
        {
            var probe = new ChatTemplateContext([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, ThinkingSupport.ProbeMessage)]) { EnableThinking = thinking };
            return _template.Render(ChatTemplateVariables.Create(probe, new ChatTemplateVariables.Settings(false, thinking, false, false)), probe.TimeProvider);
        }

        try
        {
            return ThinkingSupport.Detect(Probe(thinking: false), Probe(thinking: true));
        }
        catch (ChatTemplateException)
        {
            return false;
        }
    }
}
