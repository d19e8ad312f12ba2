using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Templates;

/// <summary>
/// What a chat template is rendered with: the conversation, the tools offered to the model and the flags that Hugging
/// Face chat templates read (<c>add_generation_prompt</c>, <c>bos_token</c>, <c>enable_thinking</c>, ...).
/// </summary>
/// <remarks>Not thread-safe while being modified; a context that is no longer changed can be rendered from several threads.</remarks>
public sealed class ChatTemplateContext
{
    /// <summary>Creates a context for <paramref name="messages"/>.</summary>
    /// <param name="messages">The conversation, oldest first.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public ChatTemplateContext(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = [.. messages];
    }

    /// <summary>The conversation, oldest first.</summary>
    public IList<ChatMessage> Messages { get; }

    /// <summary>
    /// The tools offered to the model, usually <see cref="ChatOptions.Tools"/>. Function declarations are passed as
    /// <c>tools</c> in OpenAI's shape; other kinds of tool are left out. <see langword="null"/> or empty leaves
    /// <c>tools</c> undefined, as templates expect when no tools are given.
    /// </summary>
    public IList<AITool>? Tools { get; set; }

    /// <summary>Whether the prompt ends with the header of a new assistant turn (<c>add_generation_prompt</c>). Defaults to <see langword="true"/>.</summary>
    public bool AddGenerationPrompt { get; set; } = true;

    /// <summary>The text of the model's beginning-of-sequence token (<c>bos_token</c>), or <see langword="null"/> for an empty string.</summary>
    public string? BosToken { get; set; }

    /// <summary>The text of the model's end-of-sequence token (<c>eos_token</c>), or <see langword="null"/> for an empty string.</summary>
    public string? EosToken { get; set; }

    /// <summary>
    /// Whether reasoning models should think before answering (<c>enable_thinking</c>); <see langword="null"/> for
    /// llama.cpp's default: on wherever the template supports thinking (<see cref="ChatTemplate.SupportsThinking"/>).
    /// The variable is always defined.
    /// </summary>
    public bool? EnableThinking { get; set; }

    /// <summary>
    /// Further template variables by name, such as <c>tools_in_user_message</c>, <c>reasoning_effort</c> or
    /// <c>date_string</c>. Values may be <see langword="null"/>, strings, booleans, numbers,
    /// <see cref="System.Text.Json.JsonElement"/>, dictionaries with string keys and sequences of these; anything else is
    /// converted through its JSON serialization. These override the variables set from the other properties.
    /// </summary>
    public IDictionary<string, object?> AdditionalVariables { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// The clock for the date templates print: <c>strftime_now</c>, and <c>date_string</c> (<c>26 Jul 2024</c>) and
    /// <c>datetime</c> (<c>Jul 26 2024</c>) as llama.cpp defines them, in local time; <see langword="null"/> for the system clock.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }
}
