using System.Buffers;
using System.Globalization;
using System.Text;

namespace LockboxPortal.Common;

/// <summary>
/// Characters that change what a reader sees without being seen themselves: control characters, bidi overrides and
/// isolates (U+202E reverses what follows), zero-width and other invisible characters (U+200B, U+2060, U+FEFF,
/// fillers, tag characters), and broken surrogates. Names and scopes refuse them, because an approver must read
/// exactly what they approve; free text such as a justification keeps them but shows them escaped (<c>\u202E</c>),
/// so nothing in it is hidden.
/// </summary>
public static class TextRules
{
    /// <summary>Invisible letters and marks that Unicode does not class as format characters.</summary>
    private static readonly HashSet<int> InvisibleLetters = [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0];

    public static bool IsHidden(Rune rune) =>
        InvisibleLetters.Contains(rune.Value) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>The first hidden character in <paramref name="text"/>, escaped as <see cref="Escape"/> writes it, or null when there is none.</summary>
    public static string? FirstHiddenCharacter(string text)
    {
        string? found = null;
        Walk(text, (rune, broken) =>
        {
            if (found is null && (broken is not null || IsHidden(rune)))
            {
                found = broken ?? Escape(rune);
            }
        });
        return found;
    }

    /// <summary>The character as a reader can see it, e.g. <c>\u202E</c>.</summary>
    public static string Escape(Rune rune) => rune.IsBmp ? $"\\u{rune.Value:X4}" : $"\\U{rune.Value:X8}";

    /// <summary>
    /// The text with every hidden character shown escaped (line breaks and tabs stay as they are), for showing text
    /// someone typed: a bidi override or a zero-width space becomes visible instead of changing what is read.
    /// </summary>
    public static string ShowHidden(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var shown = new StringBuilder(text.Length);
        Walk(text, (rune, broken) =>
        {
            if (broken is not null)
            {
                shown.Append(broken);
            }
            else if (IsHidden(rune) && rune.Value is not ('\n' or '\r' or '\t'))
            {
                shown.Append(Escape(rune));
            }
            else
            {
                shown.Append(rune.ToString());
            }
        });
        return shown.ToString();
    }

    /// <summary>Each character of the text; a lone surrogate is passed as its escape instead.</summary>
    private static void Walk(string text, Action<Rune, string?> visit)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var used) == OperationStatus.Done)
            {
                visit(rune, null);
            }
            else
            {
                visit(Rune.ReplacementChar, $"\\u{(int)rest[0]:X4}");
                used = 1;
            }

            rest = rest[used..];
        }
    }
}
