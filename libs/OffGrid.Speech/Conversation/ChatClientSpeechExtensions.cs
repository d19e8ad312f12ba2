using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using OffGrid.Speech.Synthesis;

namespace OffGrid.Speech.Conversation;

/// <summary>Voice chat that speaks while the answer streams.</summary>
public static class ChatClientSpeechExtensions
{
    /// <summary>
    /// Streams a chat answer and speaks it sentence by sentence: each sentence goes to <paramref name="speech"/> as soon as
    /// the model has finished it, while the model keeps generating the next ones, so the first audio is ready long before
    /// the answer ends (a call mode that waits for the whole answer makes the listener wait for all of it).
    /// </summary>
    /// <param name="chat">The chat pipeline (any <see cref="IChatClient"/>: local engine, middleware, remote).</param>
    /// <param name="speech">The voice.</param>
    /// <param name="messages">The conversation, the question last.</param>
    /// <param name="chatOptions">Options for the chat request.</param>
    /// <param name="speechOptions">Voice, language, speed and audio format of the speech.</param>
    /// <param name="cancellationToken">Cancels both the answer and the speech.</param>
    /// <returns>The sentences in order, each with its audio, as soon as each is spoken.</returns>
    /// <remarks>
    /// Sentences are cut by <see cref="SentenceChunker"/>. Generation and synthesis overlap: the model's stream is read
    /// on its own task into an unbounded queue, and synthesis takes sentences from it in order. An error on either side
    /// ends the enumeration with that error and cancels the other side.
    /// </remarks>
    public static async IAsyncEnumerable<SpokenSentence> GetStreamingSpeechAsync(
        this IChatClient chat,
        ITextToSpeechClient speech,
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null,
        TextToSpeechOptions? speechOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(speech);
        ArgumentNullException.ThrowIfNull(messages);
        var stopwatch = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Channel<string> sentences = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task reader = ReadSentencesAsync(chat, messages.ToList(), chatOptions, sentences.Writer, linked.Token);
        try
        {
            int index = 0;
            while (await NextAsync(sentences.Reader, reader, linked.Token).ConfigureAwait(false) is { } sentence)
            {
                TextToSpeechResponse audio = await speech.GetAudioAsync(sentence, speechOptions, linked.Token).ConfigureAwait(false);
                yield return new SpokenSentence(index++, sentence, audio.Contents.OfType<DataContent>().First(), stopwatch.Elapsed);
            }
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task ReadSentencesAsync(IChatClient chat, List<ChatMessage> messages, ChatOptions? options, ChannelWriter<string> writer, CancellationToken cancellationToken)
    {
        try
        {
            var chunker = new SentenceChunker();
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                foreach (string sentence in chunker.Append(update.Text))
                {
                    await writer.WriteAsync(sentence, cancellationToken).ConfigureAwait(false);
                }
            }

            if (chunker.Flush() is { } last)
            {
                await writer.WriteAsync(last, cancellationToken).ConfigureAwait(false);
            }

            writer.Complete();
        }
        catch (Exception ex)
        {
            writer.Complete(ex);
            throw;
        }
    }

    /// <summary>Takes the next sentence; <see langword="null"/> at the end; the chat's own exception when it failed.</summary>
    private static async Task<string?> NextAsync(ChannelReader<string> sentences, Task reader, CancellationToken cancellationToken)
    {
        try
        {
            return await sentences.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && sentences.TryRead(out string? sentence) ? sentence : null;
        }
        catch (ChannelClosedException)
        {
            // The channel wraps the chat's error; the reader task carries it as thrown.
            await reader.ConfigureAwait(false);
            throw;
        }
    }
}
