using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// Remembers which backend answered a conversation, so that its next turn goes there: that backend still holds the
/// conversation's prompt in its KV cache (llama-server's prompt cache, Ollama's and OffGrid's prefix reuse) and skips
/// evaluating it again.
/// </summary>
/// <remarks>
/// A conversation is identified by chained hashes of its messages: after an answer, the hash of all the request's messages
/// maps to the backend; the next turn (those messages, the answer, a new question) finds it as its longest remembered prefix.
/// Leading system messages alone never count as a prefix: many conversations share them, and sending all of those to one
/// backend would undo the balancing. At most <c>capacity</c> conversations are remembered; the oldest are forgotten first.
/// Thread-safe.
/// </remarks>
internal sealed class PrefixAffinity
{
    private readonly int _capacity;
    private readonly ConcurrentDictionary<ulong, string> _backends = new();
    private readonly ConcurrentQueue<ulong> _order = new();

    public PrefixAffinity(int capacity)
    {
        _capacity = capacity;
    }

    /// <summary>How many conversations are remembered.</summary>
    public int Count => _backends.Count;

    /// <summary>
    /// The chained hash after each message, from the first message that is not a system message on (earlier entries are
    /// left out); empty when there is none.
    /// </summary>
    public static IReadOnlyList<ulong> KeysOf(IEnumerable<ChatMessage> messages)
    {
        var keys = new List<ulong>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> current = stackalloc byte[32];
        bool conversation = false;
        foreach (ChatMessage message in messages)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(message.Role.Value));
            foreach (AIContent content in message.Contents)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Describe(content)));
                hash.AppendData([0]);
            }

            hash.AppendData([1]);
            conversation |= message.Role != ChatRole.System;
            if (conversation)
            {
                hash.GetCurrentHash(current);
                keys.Add(BinaryPrimitives.ReadUInt64LittleEndian(current));
            }
        }

        return keys;
    }

    /// <summary>The usable backend that answered the longest prefix of this conversation; <see langword="null"/> when none did.</summary>
    /// <param name="keys">The conversation's <see cref="KeysOf"/>.</param>
    /// <param name="usable">Whether a backend may be chosen now (healthy, not tried yet).</param>
    public string? Find(IReadOnlyList<ulong> keys, Func<string, bool> usable)
    {
        for (int i = keys.Count - 1; i >= 0; i--)
        {
            if (_backends.TryGetValue(keys[i], out string? backend) && usable(backend))
            {
                return backend;
            }
        }

        return null;
    }

    /// <summary>Remembers that <paramref name="backend"/> answered the conversation.</summary>
    /// <param name="keys">The conversation's <see cref="KeysOf"/>.</param>
    /// <param name="backend">The backend's name.</param>
    public void Remember(IReadOnlyList<ulong> keys, string backend)
    {
        if (keys.Count == 0)
        {
            return;
        }

        ulong key = keys[^1];
        if (_backends.TryAdd(key, backend))
        {
            _order.Enqueue(key);
            while (_backends.Count > _capacity && _order.TryDequeue(out ulong oldest))
            {
                _backends.TryRemove(oldest, out _);
            }
        }
        else
        {
            _backends[key] = backend;
        }
    }

    private static string Describe(AIContent content) => content switch
    {
        TextContent text => text.Text,
        TextReasoningContent reasoning => reasoning.Text,
        FunctionCallContent call => $"call:{call.CallId}:{call.Name}:{System.Text.Json.JsonSerializer.Serialize(call.Arguments)}",
        FunctionResultContent result => $"result:{result.CallId}:{result.Result}",
        DataContent data => $"data:{data.MediaType}:{data.Data.Length}",
        _ => content.GetType().Name,
    };
}
