using System.Text;
using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Tests.Engine;

/// <summary>Stop sequences are matched on decoded text, so characters outside the BMP split across tokens still match whole.</summary>
public sealed class TextAssemblerTests
{
    [Theory]
    [InlineData("ab😀cd", "😀", "ab")]
    [InlineData("ab😀cd", "😀c", "ab")]
    [InlineData("日本😀🎉", "🎉", "日本😀")]
    [InlineData("x😀y", "😁", "x😀y")]
    public void StopSequencesWithAnyCharacterMatchAcrossByteSplits(string output, string stop, string expected)
    {
        var assembler = new TextAssembler([stop]);
        var text = new StringBuilder();
        bool stopped = false;
        foreach (byte b in Encoding.UTF8.GetBytes(output))
        {
            (string piece, stopped) = assembler.Append([b]);
            text.Append(piece);
            if (stopped)
            {
                break;
            }
        }

        if (!stopped)
        {
            text.Append(assembler.Flush());
        }

        Assert.Equal(expected, text.ToString());
        Assert.Equal(output != expected, stopped);
    }
}
