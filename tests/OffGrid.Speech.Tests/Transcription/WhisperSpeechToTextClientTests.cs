using Microsoft.Extensions.AI;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Transcription;
using OffGrid.Testing.Whisper;

namespace OffGrid.Speech.Tests.Transcription;

public sealed class WhisperSpeechToTextClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TranscribesToneWithGeneratedModel()
    {
        using var client = new WhisperSpeechToTextClient(new WhisperClientOptions { ModelPath = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro), Threads = 2 });
        float[] samples = Enumerable.Range(0, 16000 * 3).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 440 * i / 16000)).ToArray();
        byte[] wav = AudioEncoder.ToWav(new AudioClip(samples, 16000));

        SpeechToTextResponse response = await client.GetTextAsync(new MemoryStream(wav), cancellationToken: Ct);

        TestContext.Current.TestOutputHelper!.WriteLine($"text='{response.Text}' lang={response.GetLanguage()} segments={response.GetSegments().Count}");
        foreach (var s in response.GetSegments())
        {
            TestContext.Current.TestOutputHelper!.WriteLine(s.ToString());
        }
    }
}
