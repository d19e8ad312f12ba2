using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Speech;
using OffGrid.Speech.Synthesis.Piper;
using OffGrid.Testing;
using OffGrid.Testing.Audio;
using OffGrid.Testing.Whisper;
using OpenAI;
using OpenAI.Audio;

namespace OffGrid.AspNetCore.Tests.Audio;

/// <summary>
/// <c>/v1/audio/*</c> through the official OpenAI .NET SDK against a real Kestrel server: a generated Whisper model
/// (random weights: the text is junk, the segments and their timing are real) and espeak-ng speaking.
/// </summary>
public sealed class AudioEndpointTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private AudioClient _audio = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync(
            server => server.Services.Configure<SpeechOptions>(o =>
            {
                o.TranscriptionModel = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro);
                o.Transcription.Threads = 2;
                o.Piper = new PiperOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime") };
            }),
            app => app.MapOpenAi());
        _audio = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseUri, "v1") }).GetAudioClient("whisper-1");
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TranscribesWithVerboseSegmentsThroughTheSdk()
    {
        byte[] wav = TestAudio.Speak("The server hears this sentence and times its segments.");

        AudioTranscription result = await _audio.TranscribeAudioAsync(new MemoryStream(wav), "speech.wav", new AudioTranscriptionOptions
        {
            ResponseFormat = AudioTranscriptionFormat.Verbose,
            TimestampGranularities = AudioTimestampGranularities.Segment,
            Language = "en",
        }, Ct);

        Assert.Equal("en", result.Language);
        Assert.InRange(result.Duration!.Value.TotalSeconds, 1, 10);
        Assert.NotEmpty(result.Segments);
        Assert.All(result.Segments, s => Assert.InRange(s.EndTime, s.StartTime, result.Duration.Value));
        Assert.Equal(string.Concat(result.Segments.Select(s => s.Text)).Trim(), result.Text);
    }

    [Fact]
    public async Task TextSubtitlesAndTranslationFormats()
    {
        byte[] mp3 = TestAudio.Convert(TestAudio.Speak("Subtitles for this line."), ".mp3");

        AudioTranscription json = await _audio.TranscribeAudioAsync(new MemoryStream(mp3), "speech.mp3", cancellationToken: Ct);
        AudioTranscription srt = await _audio.TranscribeAudioAsync(new MemoryStream(mp3), "speech.mp3", new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Srt }, Ct);
        AudioTranscription vtt = await _audio.TranscribeAudioAsync(new MemoryStream(mp3), "speech.mp3", new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Vtt }, Ct);
        AudioTranslation translation = await _audio.TranslateAudioAsync(new MemoryStream(mp3), "speech.mp3", cancellationToken: Ct);

        Assert.False(string.IsNullOrWhiteSpace(json.Text));
        Assert.Matches(@"^1\n\d\d:\d\d:\d\d,\d{3} --> ", srt.Text);
        Assert.StartsWith("WEBVTT", vtt.Text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(translation.Text));
    }

    [Fact]
    public async Task SpeaksWavWholeAndMp3StreamedThroughTheSdk()
    {
        BinaryData wav = await _audio.GenerateSpeechAsync("Hello from the OffGrid server.", GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav }, Ct);
        BinaryData fast = await _audio.GenerateSpeechAsync("Hello from the OffGrid server.", GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav, SpeedRatio = 2f }, Ct);
        BinaryData mp3 = await _audio.GenerateSpeechAsync("First sentence. Second sentence!", GeneratedSpeechVoice.Nova, cancellationToken: Ct);

        Assert.True(wav.ToMemory().Span[..4].SequenceEqual("RIFF"u8));
        Assert.InRange(fast.ToMemory().Length / (double)wav.ToMemory().Length, 0.35, 0.7);
        Assert.True(mp3.ToMemory().Length > 1000);
        Assert.True(mp3.ToMemory().Span[..3].SequenceEqual("ID3"u8) || mp3.ToMemory().Span[0] == 0xFF);
    }

    [Fact]
    public async Task NamedVoicesAndPcm()
    {
        using HttpResponseMessage response = await _server.Http.PostAsJsonAsync("v1/audio/speech", new { model = "tts-1", input = "Bonjour tout le monde.", voice = "espeak:fr-fr", response_format = "pcm" }, Ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal("audio/pcm", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 22050); // over half a second of 16-bit audio
    }

    [Fact]
    public async Task BadRequestsGetOpenAiErrors()
    {
        await AssertErrorAsync(await PostAudioAsync("notes.txt", "not audio at all"u8.ToArray()), HttpStatusCode.BadRequest, "unsupported_audio");
        await AssertErrorAsync(await PostAudioAsync("silence.wav", TestAudio.SilentWav(1)), HttpStatusCode.BadRequest, "silent_audio");
        await AssertErrorAsync(await PostAudioAsync("speech.wav", TestAudio.Speak("Hi."), ("model", "whisper-nonexistent")), HttpStatusCode.NotFound, "model_not_found");
        await AssertErrorAsync(await PostAudioAsync("speech.wav", TestAudio.Speak("Hi."), ("timestamp_granularities[]", "word")), HttpStatusCode.BadRequest, null);
        await AssertErrorAsync(await PostAudioAsync("speech.wav", TestAudio.Speak("Hi."), ("response_format", "xml")), HttpStatusCode.BadRequest, null);
        await AssertErrorAsync(await _server.Http.PostAsJsonAsync("v1/audio/speech", new { input = "Hi.", voice = "klingon" }, Ct), HttpStatusCode.BadRequest, "unknown_voice");
        await AssertErrorAsync(await _server.Http.PostAsJsonAsync("v1/audio/speech", new { input = "Hi.", response_format = "midi" }, Ct), HttpStatusCode.BadRequest, "unsupported_format");
        await AssertErrorAsync(await _server.Http.PostAsJsonAsync("v1/audio/speech", new { input = "Hi.", speed = 9 }, Ct), HttpStatusCode.BadRequest, "invalid_setting");
        await AssertErrorAsync(await _server.Http.PostAsJsonAsync("v1/audio/speech", new { input = " " }, Ct), HttpStatusCode.BadRequest, null);
        await AssertErrorAsync(await _server.Http.PostAsync("v1/audio/transcriptions", new StringContent("{}"), Ct), HttpStatusCode.BadRequest, null);
    }

    private async Task<HttpResponseMessage> PostAudioAsync(string fileName, byte[] bytes, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", fileName } };
        if (!fields.Any(f => f.Name == "model"))
        {
            form.Add(new StringContent("whisper-1"), "model");
        }

        foreach ((string name, string value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return await _server.Http.PostAsync("v1/audio/transcriptions", form, Ct);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            JsonElement error = body.RootElement.GetProperty("error");
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            if (code is not null)
            {
                Assert.Equal(code, error.GetProperty("code").GetString());
            }
        }
    }
}
