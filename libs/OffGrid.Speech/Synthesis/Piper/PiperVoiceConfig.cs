using System.Text.Json;

namespace OffGrid.Speech.Synthesis.Piper;

/// <summary>
/// What OffGrid reads from a Piper voice's <c>.onnx.json</c> (the file beside each voice in rhasspy/piper-voices):
/// sample rate, espeak-ng voice, language, speakers, synthesis scales and the phoneme-to-id map.
/// </summary>
internal sealed record PiperVoiceConfig(
    int SampleRate,
    string EspeakVoice,
    string LanguageCode,
    string LanguageName,
    string Dataset,
    string Quality,
    int Speakers,
    float NoiseScale,
    float LengthScale,
    float NoiseW,
    IReadOnlyList<(string Symbol, int Id)> Phonemes)
{
    /// <summary>Reads the file.</summary>
    /// <exception cref="SpeechEngineException">The file is not a Piper voice configuration, or one sherpa-onnx cannot use.</exception>
    public static PiperVoiceConfig Read(string path)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = json.RootElement;
            string phonemeType = root.TryGetProperty("phoneme_type", out JsonElement type) ? type.GetString() ?? "espeak" : "espeak";
            if (phonemeType != "espeak")
            {
                throw new SpeechEngineException($"{Path.GetFileName(path)}: Piper voices with '{phonemeType}' phonemes are not supported; OffGrid speaks espeak-phoneme voices.");
            }

            var phonemes = new List<(string, int)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in root.GetProperty("phoneme_id_map").EnumerateObject())
            {
                // sherpa-onnx reads one code point per token line and stops the process on anything else, so check here.
                if (entry.Name == "\n")
                {
                    continue;
                }

                if (entry.Name.EnumerateRunes().Count() != 1 || !seen.Add(entry.Name))
                {
                    throw new SpeechEngineException($"{Path.GetFileName(path)}: the phoneme '{entry.Name}' is not a single character.");
                }

                phonemes.Add((entry.Name, entry.Value.ValueKind == JsonValueKind.Array ? entry.Value[0].GetInt32() : entry.Value.GetInt32()));
            }

            if (!seen.Contains("_") || !seen.Contains("^") || !seen.Contains("$"))
            {
                throw new SpeechEngineException($"{Path.GetFileName(path)}: the phoneme map lacks the pad, start or end symbol ('_', '^', '$').");
            }

            JsonElement language = root.GetProperty("language");
            JsonElement inference = root.TryGetProperty("inference", out JsonElement i) ? i : default;
            int sampleRate = root.GetProperty("audio").GetProperty("sample_rate").GetInt32();
            return new PiperVoiceConfig(
                SampleRate: sampleRate == 22500 ? 22050 : sampleRate, // a known typo in some voice files
                EspeakVoice: root.GetProperty("espeak").GetProperty("voice").GetString()!,
                LanguageCode: language.GetProperty("code").GetString()!,
                LanguageName: language.TryGetProperty("name_english", out JsonElement name) ? name.GetString()! : language.GetProperty("code").GetString()!,
                Dataset: root.TryGetProperty("dataset", out JsonElement dataset) ? dataset.GetString() ?? "piper" : "piper",
                Quality: root.GetProperty("audio").TryGetProperty("quality", out JsonElement quality) ? quality.GetString() ?? string.Empty : string.Empty,
                Speakers: root.TryGetProperty("num_speakers", out JsonElement speakers) ? speakers.GetInt32() : 1,
                NoiseScale: Scale(inference, "noise_scale", 0.667f),
                LengthScale: Scale(inference, "length_scale", 1f),
                NoiseW: Scale(inference, "noise_w", 0.8f),
                Phonemes: phonemes);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SpeechEngineException($"{Path.GetFileName(path)} is not a Piper voice configuration: {ex.Message}", ex);
        }
    }

    private static float Scale(JsonElement inference, string name, float fallback) =>
        inference.ValueKind == JsonValueKind.Object && inference.TryGetProperty(name, out JsonElement value) ? value.GetSingle() : fallback;
}
