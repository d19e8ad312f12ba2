using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Hub;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Transcription;
using OffGrid.Testing;
using OffGrid.Testing.Audio;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Whisper;

namespace OffGrid.Speech.Tests;

/// <summary>The registered clients end to end: a Whisper alias pulled from a loopback hub, espeak-ng for speech.</summary>
public sealed class SpeechServiceCollectionExtensionsTests : IAsyncLifetime
{
    private readonly LoopbackHubServer _hub = LoopbackHubServer.Start();
    private readonly string _home = TestPaths.NewTempDir("speech-home");
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _hub.AddRepo(new LoopbackModelRepo { Id = "ggerganov/whisper.cpp", Files = { ["ggml-tiny.bin"] = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro) } });
        _services = new ServiceCollection()
            .AddOffGridHub(o =>
            {
                o.HomeDirectory = _home;
                o.HuggingFace.Endpoint = _hub.BaseUri;
            })
            .AddOffGridSpeech(o =>
            {
                o.TranscriptionModel = "whisper-tiny";
                o.Transcription.Threads = 2;
            })
            .BuildServiceProvider(validateScopes: true);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _hub.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task SpeaksThenTranscribesWithAPulledModel()
    {
        var tts = _services.GetRequiredService<ITextToSpeechClient>();
        var stt = _services.GetRequiredService<ISpeechToTextClient>();

        TextToSpeechResponse speech = await tts.GetAudioAsync("The registered clients speak and listen.", cancellationToken: Ct);
        byte[] wav = ((DataContent)speech.Contents[0]).Data.ToArray();
        SpeechToTextResponse text = await stt.GetTextAsync(new MemoryStream(wav), new SpeechToTextOptions { ModelId = PooledSpeechToTextClient.OpenAiModelName }, Ct);

        Assert.Equal("whisper-tiny", text.ModelId);
        Assert.NotEmpty(text.GetSegments());
        Assert.All(text.GetSegments(), s => Assert.True(s.End <= text.GetAudioDuration()));
        Assert.True(File.Exists(Path.Combine(_home, "models", "ggerganov--whisper.cpp--ggml-tiny.bin", "ggml-tiny.bin")));
    }

    [Fact]
    public async Task UnknownOrNonWhisperModelsAreRequestErrors()
    {
        var stt = _services.GetRequiredService<ISpeechToTextClient>();
        _hub.AddRepo(new LoopbackModelRepo { Id = "ggml-org/models", Files = { ["tinyllamas/stories260K.gguf"] = TestPaths.Stories260K } });
        byte[] wav = TestAudio.Speak("Hello.");

        var unknown = await Assert.ThrowsAsync<UnknownSpeechModelException>(() => stt.GetTextAsync(new MemoryStream(wav), new SpeechToTextOptions { ModelId = "whisper-nonexistent" }, Ct));
        var llama = await Assert.ThrowsAsync<UnknownSpeechModelException>(() => stt.GetTextAsync(new MemoryStream(wav), new SpeechToTextOptions { ModelId = "stories260k" }, Ct));

        Assert.Equal("model", unknown.Parameter);
        Assert.Contains("not a Whisper", llama.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListsEveryEngineVoice()
    {
        var voices = _services.GetRequiredService<ITextToSpeechClient>().GetService<ISpeechVoiceSource>()!;

        Assert.Contains(await voices.GetVoicesAsync(Ct), v => v.Id == "espeak:en-us");
    }

    [Fact]
    public void TheAppsSpeechSectionIsBoundAndCodeWins()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Speech:TranscriptionModel"] = "whisper-small",
            ["Speech:DefaultVoice"] = "espeak:de",
            ["Speech:Transcription:Threads"] = "3",
        }).Build();
        using ServiceProvider services = new ServiceCollection().AddSingleton(configuration).AddOffGridHub()
            .AddOffGridSpeech(o => o.DefaultVoice = "espeak:fr-fr").BuildServiceProvider();

        SpeechOptions options = services.GetRequiredService<IOptions<SpeechOptions>>().Value;

        Assert.Equal("whisper-small", options.TranscriptionModel);
        Assert.Equal(3, options.Transcription.Threads);
        Assert.Equal("espeak:fr-fr", options.DefaultVoice);
    }

    [Fact]
    public void InvalidOptionsFailAtStart()
    {
        using ServiceProvider services = new ServiceCollection().AddOffGridHub().AddOffGridSpeech(o => o.TranscriptionModel = " ").BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SpeechOptions>>().Value);

        Assert.Contains("TranscriptionModel", error.Message, StringComparison.Ordinal);
    }
}
