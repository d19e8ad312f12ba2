using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Hub;
using OffGrid.Hub.Store;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Synthesis.Piper;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Piper;

namespace OffGrid.Speech.Tests.Synthesis;

/// <summary>
/// Piper voices on the real sherpa-onnx runtime (npm sherpa-onnx-linux-x64@1.13.8, installed by OffGrid's npm installer)
/// with Debian's espeak-ng data for phonemes: a generated voice in Piper's published format is pulled from a loopback hub,
/// converted for sherpa-onnx and spoken. The voice's weights are random, so the audio is noise of the right length.
/// </summary>
public sealed class PiperTextToSpeechClientTests : IAsyncLifetime
{
    private readonly LoopbackHubServer _hub = LoopbackHubServer.Start();
    private readonly string _home = TestPaths.NewTempDir("piper-home");
    private ServiceProvider _services = null!;
    private PiperTextToSpeechClient _piper = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        string voices = TestPaths.NewTempDir("piper-voices");
        string en = TestPiperVoices.Write(voices, "en_US-tiny-x_low", "en-us");
        string de = TestPiperVoices.Write(voices, "de_DE-klein-low", "de", sampleRate: 22050, seed: 2);
        _hub.AddRepo(new LoopbackModelRepo
        {
            Id = "rhasspy/piper-voices",
            Files =
            {
                ["en/en_US/tiny/x_low/en_US-tiny-x_low.onnx"] = en,
                ["en/en_US/tiny/x_low/en_US-tiny-x_low.onnx.json"] = en + ".json",
                ["de/de_DE/klein/low/de_DE-klein-low.onnx"] = de,
                ["de/de_DE/klein/low/de_DE-klein-low.onnx.json"] = de + ".json",
            },
        });
        _services = new ServiceCollection().AddOffGridHub(o =>
        {
            o.HomeDirectory = _home;
            o.HuggingFace.Endpoint = _hub.BaseUri;
        }).BuildServiceProvider();
        ModelStore store = _services.GetRequiredService<ModelStore>();
        await store.PullAsync("rhasspy/piper-voices/en/en_US/tiny/x_low/en_US-tiny-x_low.onnx", cancellationToken: Ct);
        await store.PullAsync("rhasspy/piper-voices/de/de_DE/klein/low/de_DE-klein-low.onnx", cancellationToken: Ct);
        _piper = new PiperTextToSpeechClient(store, new PiperOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime") });
    }

    public async ValueTask DisposeAsync()
    {
        _piper.Dispose();
        await _services.DisposeAsync();
        await _hub.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task ListsPulledVoicesWithTheirLanguages()
    {
        IReadOnlyList<SpeechVoice> voices = await _piper.GetVoicesAsync(Ct);

        Assert.Equal(["piper:de_DE-klein-low", "piper:en_US-tiny-x_low"], voices.Select(v => v.Id));
        Assert.True(voices[1].Speaks("en") && voices[1].Speaks("en-US") && voices[0].Speaks("de"));
        Assert.Equal("tiny (x_low)", voices[1].Name);
    }

    [Fact]
    public async Task SpeaksThroughSherpaOnnxWithLengthFollowingTextAndSpeed()
    {
        TextToSpeechResponse shortOne = await _piper.GetAudioAsync("Hi.", new TextToSpeechOptions { VoiceId = "en_US-tiny-x_low" }, Ct);
        TextToSpeechResponse longOne = await _piper.GetAudioAsync("Hello, this sentence is a good deal longer than the first.", new TextToSpeechOptions { VoiceId = "piper:en_US-tiny-x_low" }, Ct);
        TextToSpeechResponse fast = await _piper.GetAudioAsync("Hello, this sentence is a good deal longer than the first.", new TextToSpeechOptions { VoiceId = "en_US-tiny-x_low", Speed = 2 }, Ct);

        AudioClip clip = await new AudioDecoder().DecodeAsync(new MemoryStream(((DataContent)longOne.Contents[0]).Data.ToArray()), 16000, Ct);
        Assert.Equal(16000, longOne.AdditionalProperties!["sample_rate"]);
        Assert.True(clip.Peak > 0.1f);
        Assert.True(Duration(longOne) > 3 * Duration(shortOne), $"{Duration(shortOne)} vs {Duration(longOne)}");
        Assert.InRange(Duration(fast) / Duration(longOne), 0.4, 0.6);
        Assert.Equal("piper:en_US-tiny-x_low", longOne.ModelId);
    }

    [Fact]
    public async Task PicksTheVoiceByLanguageAndWritesItsSampleRate()
    {
        TextToSpeechResponse german = await _piper.GetAudioAsync("Guten Tag.", new TextToSpeechOptions { Language = "de", AudioFormat = "mp3" }, Ct);

        Assert.Equal("piper:de_DE-klein-low", german.ModelId);
        Assert.Equal(22050, german.AdditionalProperties!["sample_rate"]);
        Assert.Equal(AudioContainer.Mp3, AudioDecoder.Detect(((DataContent)german.Contents[0]).Data.Span));
    }

    [Fact]
    public async Task ComposesWithEspeakBehindOneVoiceList()
    {
        using var all = new CompositeTextToSpeechClient([_piper, new EspeakTextToSpeechClient()]);

        IReadOnlyList<SpeechVoice> voices = await all.GetVoicesAsync(Ct);
        TextToSpeechResponse piper = await all.GetAudioAsync("Hello.", new TextToSpeechOptions { Language = "en" }, Ct);
        TextToSpeechResponse espeak = await all.GetAudioAsync("Hello.", new TextToSpeechOptions { VoiceId = "espeak:en-us" }, Ct);
        TextToSpeechResponse defaulted = await all.GetAudioAsync("Hello.", cancellationToken: Ct);

        Assert.Contains(voices, v => v.Id == "piper:en_US-tiny-x_low");
        Assert.Contains(voices, v => v.Id == "espeak:fr-fr");
        Assert.Equal("piper:en_US-tiny-x_low", piper.ModelId);
        Assert.Equal("espeak:en-us", espeak.ModelId);
        Assert.StartsWith("piper:", defaulted.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownVoicesAreRequestErrors()
    {
        await Assert.ThrowsAsync<UnknownVoiceException>(() => _piper.GetAudioAsync("Hi.", new TextToSpeechOptions { VoiceId = "en_US-nobody-high" }, Ct));
        await Assert.ThrowsAsync<UnknownVoiceException>(() => _piper.GetAudioAsync("Hi.", new TextToSpeechOptions { Language = "ja" }, Ct));
    }

    private static double Duration(TextToSpeechResponse response) => (double)response.AdditionalProperties!["duration"]!;
}
