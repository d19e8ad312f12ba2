using Microsoft.Extensions.AI;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Transcription;
using OffGrid.Testing.Audio;
using OffGrid.Testing.Whisper;

namespace OffGrid.Speech.Tests.Transcription;

/// <summary>
/// The real whisper.cpp runtime (Whisper.net.Runtime) on a generated model with random weights: the text is junk,
/// so the tests check what random weights cannot fake: segments, their timing, languages, errors and cancellation.
/// </summary>
public sealed class WhisperSpeechToTextClientTests : IDisposable
{
    private readonly WhisperSpeechToTextClient _client = new(new WhisperClientOptions { ModelPath = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro), ModelId = "whisper-micro", Threads = 2 });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task TranscribesSpeechIntoTimedSegmentsWithinTheAudio()
    {
        byte[] speech = TestAudio.Speak("Hello from OffGrid. This sentence is spoken by espeak and heard by Whisper.");
        TimeSpan duration = (await new AudioDecoder().DecodeAsync(new MemoryStream(speech), 16000, Ct)).Duration;

        SpeechToTextResponse response = await _client.GetTextAsync(new MemoryStream(speech), cancellationToken: Ct);

        IReadOnlyList<TranscriptionSegment> segments = response.GetSegments();
        Assert.NotEmpty(segments);
        Assert.Equal(Enumerable.Range(0, segments.Count), segments.Select(s => s.Id));
        Assert.All(segments, s => Assert.InRange(s.Start, TimeSpan.Zero, s.End));
        Assert.All(segments, s => Assert.InRange(s.End, s.Start, duration));
        Assert.Equal(segments.OrderBy(s => s.Start).ToList(), segments);
        Assert.Equal(string.Concat(segments.Select(s => s.Text)).Trim(), response.Text);
        Assert.Equal(segments[0].Start, response.StartTime);
        Assert.Equal(segments[^1].End, response.EndTime);
        Assert.Equal(duration.TotalSeconds, response.GetAudioDuration()!.Value.TotalSeconds, 3);
        Assert.Matches("^[a-z]{2,3}$", response.GetLanguage());
        Assert.Equal("whisper-micro", response.ModelId);
    }

    [Fact]
    public async Task StreamsOneUpdatePerSegmentBetweenOpenAndClose()
    {
        byte[] speech = TestAudio.Speak("One. Two. Three.");

        List<SpeechToTextResponseUpdate> updates = await _client.GetStreamingTextAsync(new MemoryStream(speech), cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(SpeechToTextResponseUpdateKind.SessionOpen, updates[0].Kind);
        Assert.Equal(SpeechToTextResponseUpdateKind.SessionClose, updates[^1].Kind);
        List<SpeechToTextResponseUpdate> segments = updates[1..^1];
        Assert.NotEmpty(segments);
        Assert.All(segments, u => Assert.Equal(SpeechToTextResponseUpdateKind.TextUpdated, u.Kind));
        Assert.All(segments, u => Assert.IsType<TranscriptionSegment>(u.RawRepresentation));
        Assert.All(segments, u => Assert.True(u.StartTime <= u.EndTime && u.EndTime <= updates[^1].EndTime));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
    }

    [Fact]
    public async Task UsesTheGivenLanguageAndTranslatesIntoEnglish()
    {
        byte[] speech = TestAudio.Speak("Guten Tag, wie geht es Ihnen?", "de");

        SpeechToTextResponse german = await _client.GetTextAsync(new MemoryStream(speech), new SpeechToTextOptions { SpeechLanguage = "de-DE" }, Ct);
        SpeechToTextResponse english = await _client.GetTextAsync(new MemoryStream(speech), new SpeechToTextOptions { SpeechLanguage = "de", TextLanguage = "en" }, Ct);

        Assert.Equal("de", german.GetLanguage());
        Assert.All(german.GetSegments(), s => Assert.Equal("de", s.Language));
        Assert.NotEmpty(english.GetSegments());
    }

    [Fact]
    public async Task RefusesLanguagesWhisperCannotHandle()
    {
        byte[] speech = TestAudio.SineWav(1);

        var unknown = await Assert.ThrowsAsync<UnsupportedLanguageException>(() => _client.GetTextAsync(new MemoryStream(speech), new SpeechToTextOptions { SpeechLanguage = "xx" }, Ct));
        var french = await Assert.ThrowsAsync<UnsupportedLanguageException>(() => _client.GetTextAsync(new MemoryStream(speech), new SpeechToTextOptions { SpeechLanguage = "de", TextLanguage = "fr" }, Ct));

        Assert.Equal("language", unknown.Parameter);
        Assert.Contains("only into English", french.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesSilenceAndBadAudioBeforeDecoding()
    {
        var silent = await Assert.ThrowsAsync<SilentAudioException>(() => _client.GetTextAsync(new MemoryStream(TestAudio.SilentWav(2)), cancellationToken: Ct));
        await Assert.ThrowsAsync<CorruptAudioException>(() => _client.GetTextAsync(new MemoryStream("RIFF\0\0\0\0WAVEjunk"u8.ToArray()), cancellationToken: Ct));

        Assert.Equal(2, silent.Duration.TotalSeconds, 3);
        Assert.Equal("silent_audio", silent.Code);
    }

    [Fact]
    public async Task RefusesAudioOverTheLimit()
    {
        using var client = new WhisperSpeechToTextClient(new WhisperClientOptions
        {
            ModelPath = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro),
            Audio = new AudioDecoderOptions { MaxDuration = TimeSpan.FromSeconds(2) },
        });

        await Assert.ThrowsAsync<AudioTooLongException>(() => client.GetTextAsync(new MemoryStream(TestAudio.SineWav(3)), cancellationToken: Ct));
    }

    [Fact]
    public async Task CancellationStopsWhisperMidway()
    {
        // About a minute of speech: two 30-second windows, far more work than the time allowed after cancelling.
        byte[] speech = TestAudio.Speak(string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog, and then it runs back home again.", 14)));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<SpeechToTextResponseUpdate>();
        var stopwatch = new System.Diagnostics.Stopwatch();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (SpeechToTextResponseUpdate update in _client.GetStreamingTextAsync(new MemoryStream(speech), cancellationToken: cts.Token))
            {
                seen.Add(update);
                if (update.Kind == SpeechToTextResponseUpdateKind.SessionOpen)
                {
                    cts.CancelAfter(TimeSpan.FromMilliseconds(300));
                    stopwatch.Start();
                }
            }
        });

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(seen, u => u.Kind == SpeechToTextResponseUpdateKind.SessionClose);

        // The client still works after a cancelled request.
        Assert.NotEmpty((await _client.GetTextAsync(new MemoryStream(TestAudio.Speak("Still here.")), cancellationToken: Ct)).GetSegments());
    }

    [Fact]
    public async Task MissingOrBrokenModelIsAnEngineError()
    {
        string broken = Path.Combine(Testing.TestPaths.NewTempDir("whisper"), "ggml-broken.bin");
        await File.WriteAllBytesAsync(broken, new byte[4096], Ct);
        using var missing = new WhisperSpeechToTextClient(new WhisperClientOptions { ModelPath = "/nonexistent/ggml-base.bin" });
        using var corrupt = new WhisperSpeechToTextClient(new WhisperClientOptions { ModelPath = broken });

        var a = await Assert.ThrowsAsync<SpeechEngineException>(() => missing.GetTextAsync(new MemoryStream(TestAudio.SineWav(1)), cancellationToken: Ct));
        await Assert.ThrowsAsync<SpeechEngineException>(() => corrupt.GetTextAsync(new MemoryStream(TestAudio.SineWav(1)), cancellationToken: Ct));

        Assert.Contains("does not exist", a.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExposesMetadataThroughGetService()
    {
        var metadata = _client.GetService<SpeechToTextClientMetadata>();

        Assert.Equal("offgrid", metadata!.ProviderName);
        Assert.Equal("whisper-micro", metadata.DefaultModelId);
        Assert.Same(_client, _client.GetService<WhisperSpeechToTextClient>());
        Assert.Null(_client.GetService<SpeechToTextClientMetadata>("key"));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new WhisperSpeechToTextClient(new WhisperClientOptions { Threads = -1, MaxConcurrency = 0 }));

        Assert.Contains("ModelPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency", error.Message, StringComparison.Ordinal);
    }
}
