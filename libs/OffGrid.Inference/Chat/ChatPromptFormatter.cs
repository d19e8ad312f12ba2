using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Chat;

/// <summary>
/// Renders a conversation into the prompt text a model expects.
/// </summary>
/// <remarks>
/// Models with a chat template use llama.cpp's built-in template matching. A model without a template (a base
/// model such as stories260K) gets a plain transcript: the text of a lone user message as is, so that base
/// models continue it, or <c>User:</c>/<c>Assistant:</c> lines for longer conversations.
/// </remarks>
internal sealed class ChatPromptFormatter
{
    private readonly LlamaModel _model;

    public ChatPromptFormatter(LlamaModel model)
    {
        _model = model;
    }

    /// <summary>Renders the conversation; offered tools are described in a system message.</summary>
    public string Format(IReadOnlyList<ChatMessage> messages, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        List<ChatMessage> lowered = tools.Count > 0 ? GenericToolPrompt.Apply(messages, tools) : GenericToolPrompt.LowerToolTraffic(messages).ToList();
        if (_model.ChatTemplate is { } template && TryApplyBuiltInTemplate(template, lowered) is { } prompt)
        {
            return prompt;
        }

        return FormatTranscript(lowered);
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
        var handles = new List<GCHandle>();
        try
        {
            byte* Pin(string text)
            {
                var handle = GCHandle.Alloc(Encoding.UTF8.GetBytes(text + "\0"), GCHandleType.Pinned);
                handles.Add(handle);
                return (byte*)handle.AddrOfPinnedObject();
            }

            var native = new LlamaChatMessage[messages.Count];
            int totalLength = template.Length;
            for (int i = 0; i < messages.Count; i++)
            {
                string text = messages[i].Text;
                native[i] = new LlamaChatMessage { Role = Pin(messages[i].Role.Value), Content = Pin(text) };
                totalLength += text.Length;
            }

            byte* templatePointer = Pin(template);
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
        finally
        {
            handles.ForEach(h => h.Free());
        }
    }
}
