using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Speech.Conversation;
using OffGrid.Speech.Synthesis;
using OffGrid.Testing;

namespace OffGrid.Speech.Tests.Conversation;

/// <summary>Voice chat on real engines: llama.cpp generating with stories260K, espeak-ng speaking.</summary>
public sealed class ChatClientSpeechExtensionsTests : IAsyncLifetime
{
    private readonly EspeakTextToSpeechClient _voice = new();
    private LlamaModel _model = null!;
    private LlamaEngine _engine = null!;
    private LlamaChatClient _chat = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
        _model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 512, Threads = 1 });
        _chat = new LlamaChatClient(_engine);
    }

    public ValueTask DisposeAsync()
    {
        _chat.Dispose();
        _engine.Dispose();
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ChatOptions Greedy => new() { Temperature = 0, MaxOutputTokens = 120 };

    [Fact]
    public async Task SpeaksTheAnswerSentenceBySentenceAsItStreams()
    {
        string answer = (await _chat.GetResponseAsync("Once upon a time", Greedy, Ct)).Text;

        List<SpokenSentence> spoken = await _chat.GetStreamingSpeechAsync(_voice, [new ChatMessage(ChatRole.User, "Once upon a time")], Greedy, cancellationToken: Ct).ToListAsync(Ct);

        Assert.True(spoken.Count >= 2, $"{spoken.Count} sentences from: {answer}");
        Assert.Equal(Enumerable.Range(0, spoken.Count), spoken.Select(s => s.Index));
        Assert.Equal(Normalize(answer), Normalize(string.Join(' ', spoken.Select(s => s.Text))));
        Assert.All(spoken, s => Assert.True(s.Audio.Data.Span[..4].SequenceEqual("RIFF"u8)));
        Assert.All(spoken.Zip(spoken.Skip(1)), pair => Assert.True(pair.First.Elapsed <= pair.Second.Elapsed));
        Assert.True(spoken[0].Elapsed < spoken[^1].Elapsed);
    }

    [Fact]
    public async Task ChatErrorsSurfaceAsThemselves()
    {
        var bad = new ChatOptions { MaxOutputTokens = 0 };

        await Assert.ThrowsAnyAsync<OffGrid.Inference.InvalidRequestException>(async () =>
            await _chat.GetStreamingSpeechAsync(_voice, [new ChatMessage(ChatRole.User, "Hi")], bad, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task SpeechErrorsStopTheAnswer()
    {
        await Assert.ThrowsAsync<UnknownVoiceException>(async () =>
            await _chat.GetStreamingSpeechAsync(_voice, [new ChatMessage(ChatRole.User, "Once upon a time")], Greedy, new TextToSpeechOptions { VoiceId = "klingon" }, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task CancellingAfterTheFirstSentenceStopsBothSides()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var spoken = new List<SpokenSentence>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (SpokenSentence sentence in _chat.GetStreamingSpeechAsync(_voice, [new ChatMessage(ChatRole.User, "Once upon a time")], Greedy, cancellationToken: cts.Token))
            {
                spoken.Add(sentence);
                await cts.CancelAsync();
            }
        });

        Assert.Single(spoken);
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
