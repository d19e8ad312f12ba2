using OffGrid.Inference.Templates.Jinja;

namespace OffGrid.Inference.Templates;

/// <summary>
/// A model's Jinja2 chat template (the GGUF <c>tokenizer.chat_template</c>), parsed once and rendered into prompts
/// for <see cref="Microsoft.Extensions.AI.ChatMessage"/> conversations with the same variables and whitespace rules as
/// Hugging Face transformers.
/// </summary>
/// <remarks>
/// Instances are immutable and thread-safe: parse once per model and call <see cref="Render"/> concurrently.
/// Rendering is pure except for <c>strftime_now</c>, which reads <see cref="ChatTemplateContext.TimeProvider"/>.
/// Tool call arguments are passed as objects; a template that fails on objects is retried once with JSON text.
/// </remarks>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;

    private ChatTemplate(string source, JinjaTemplate template)
    {
        Source = source;
        _template = template;
    }

    /// <summary>The template source text.</summary>
    public string Source { get; }

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
            return _template.Render(ChatTemplateVariables.Create(context), context.TimeProvider);
        }
        catch (ChatTemplateException error) when (error is not ChatTemplateRaisedException && ChatTemplateVariables.HasToolCalls(context))
        {
            // A few templates (functionary v3.2, for one) concatenate tool call arguments as JSON text, the OpenAI wire
            // form, and fail on objects; llama.cpp detects this too and passes text to them.
            try
            {
                return _template.Render(ChatTemplateVariables.Create(context, argumentsAsJsonText: true), context.TimeProvider);
            }
            catch (ChatTemplateException)
            {
                throw error;
            }
        }
    }
}
