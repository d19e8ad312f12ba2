using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;
using OffGrid.Inference.Templates;

namespace OffGrid.Inference.Chat;

/// <summary>
/// Renders a conversation into the prompt text a model expects.
/// </summary>
/// <remarks>
/// A model's own Jinja chat template is used when it has one (tools included, when the template knows them).
/// A template that fails to parse or render falls back, with a warning, to llama.cpp's built-in template
/// matching. A model without a template (a base model such as stories260K) gets a plain transcript: the text of
/// a lone user message as is, so that base models continue it, or <c>User:</c>/<c>Assistant:</c> lines for longer
/// conversations. Tools the template cannot express are described in a system message.
/// </remarks>
internal sealed class ChatPromptFormatter
{
    private readonly LlamaModel _model;
    private readonly ILogger _logger;
    private readonly ChatTemplate? _template;
    private readonly bool _templateKnowsTools;
    private readonly string? _bosText;
    private readonly string? _eosText;

    public ChatPromptFormatter(LlamaModel model, bool useJinja, ILogger logger)
    {
        _model = model;
        _logger = logger;
        if (useJinja && model.ChatTemplate is { Length: > 0 } source)
        {
            try
            {
                _template = ChatTemplate.Parse(source);
                _templateKnowsTools = source.Contains("tools", StringComparison.Ordinal);
            }
            catch (ChatTemplateException ex)
            {
                _logger.LogWarning("The chat template of {Model} could not be parsed ({Reason}); using llama.cpp's built-in templates.", model.Id, ex.Message);
            }
        }

        _bosText = model.BosToken >= 0 ? model.Detokenize([model.BosToken], renderSpecial: true) : null;
        _eosText = model.EosToken >= 0 ? model.Detokenize([model.EosToken], renderSpecial: true) : null;
    }

    /// <summary>Renders the conversation; offered tools are passed to the template or described in a system message.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="tools">The tools offered.</param>
    /// <param name="enableThinking">Whether the model should think (<c>enable_thinking</c>); <see langword="null"/> for the template's default.</param>
    /// <exception cref="InvalidRequestException">The model's template rejects the conversation (for example a system message it does not support).</exception>
    public FormattedPrompt Format(IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, bool? enableThinking = null)
    {
        if (_template is not null && TryRenderJinja(messages, tools, enableThinking) is { } rendered)
        {
            return new FormattedPrompt(rendered, StartsWithBos: _bosText is { Length: > 0 } bos && rendered.StartsWith(bos, StringComparison.Ordinal));
        }

        List<ChatMessage> lowered = tools.Count > 0 ? GenericToolPrompt.Apply(messages, tools) : GenericToolPrompt.LowerToolTraffic(messages).ToList();
        string text = _model.ChatTemplate is { } template && TryApplyBuiltInTemplate(template, lowered) is { } prompt
            ? prompt
            : FormatTranscript(lowered);
        return new FormattedPrompt(text, StartsWithBos: false);
    }

    private string? TryRenderJinja(IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools, bool? enableThinking)
    {
        // A template that knows no tools cannot show calls or results either, even once no tools are offered (the last
        // round of function invocation): they are lowered into text it can show.
        IEnumerable<ChatMessage> conversation = _templateKnowsTools ? messages
            : tools.Count > 0 ? GenericToolPrompt.Apply(messages, tools)
            : GenericToolPrompt.LowerToolTraffic(messages);
        var context = new ChatTemplateContext(conversation)
        {
            Tools = _templateKnowsTools && tools.Count > 0 ? tools.Cast<AITool>().ToList() : null,
            BosToken = _bosText,
            EosToken = _eosText,
            EnableThinking = enableThinking,
        };

        try
        {
            return _template!.Render(context);
        }
        catch (ChatTemplateRaisedException ex)
        {
            throw new InvalidRequestException($"The chat template of '{_model.Id}' rejects this conversation: {ex.Reason}", nameof(messages), ex);
        }
        catch (ChatTemplateException ex)
        {
            _logger.LogWarning("The chat template of {Model} failed ({Reason}); using llama.cpp's built-in template for this request.", _model.Id, ex.Message);
            return null;
        }
    }

    internal static string FormatTranscript(IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Count == 1 && messages[0].Role == ChatRole.User)
        {
            return messages[0].Text;
        }

        var sb = new StringBuilder();
        foreach (ChatMessage message in messages)
        {
            string role = message.Role == ChatRole.System ? "System" : message.Role == ChatRole.Assistant ? "Assistant" : message.Role == ChatRole.Tool ? "Tool" : "User";
            sb.Append(role).Append(": ").Append(message.Text).Append('\n');
        }

        return sb.Append("Assistant:").ToString();
    }

    private static unsafe string? TryApplyBuiltInTemplate(string template, IReadOnlyList<ChatMessage> messages)
    {
        using var strings = new PinnedUtf8Strings();
        var native = new LlamaChatMessage[messages.Count];
        int totalLength = template.Length;
        for (int i = 0; i < messages.Count; i++)
        {
            string text = messages[i].Text;
            native[i] = new LlamaChatMessage { Role = strings.Add(messages[i].Role.Value), Content = strings.Add(text) };
            totalLength += text.Length;
        }

        byte* templatePointer = strings.Add(template);
        byte[] buffer = new byte[(totalLength * 2) + 256];
        fixed (LlamaChatMessage* chat = native)
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                fixed (byte* output = buffer)
                {
                    int length = LlamaNative.llama_chat_apply_template(templatePointer, chat, (nuint)native.Length, true, output, buffer.Length);
                    if (length < 0)
                    {
                        return null;
                    }

                    if (length <= buffer.Length)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, length);
                    }

                    buffer = new byte[length];
                }
            }
        }

        return null;
    }
}
