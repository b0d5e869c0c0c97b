using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// What a request is for: a workload and a resource path, written <c>Workload:resource/path</c>,
/// e.g. <c>Exchange:mailbox/ana@contoso.com</c>. A scope covers itself and what lies beneath it
/// at a <c>/</c> boundary, never a sibling that merely shares a prefix.
/// </summary>
public sealed partial record ResourceScope
{
    public const int MaxLength = 400;

    private ResourceScope(string workload, string resource)
    {
        Workload = workload;
        Resource = resource;
    }

    public string Workload { get; }

    public string Resource { get; }

    public override string ToString() => $"{Workload}:{Resource}";

    public static ResourceScope Parse(string text) =>
        TryParse(text, out var scope, out var error) ? scope : throw new FormatException(error);

    /// <summary>The punctuation a resource segment may hold besides letters and digits; everything else is refused.</summary>
    public const string SegmentPunctuation = ".-_@+~=,'";

    /// <summary>
    /// Parses strictly, so that what an approver reads is exactly what a prefix match compares (DESIGN.md rule 1):
    /// <c>Workload:segment/segment/...</c>, the workload ASCII letters, digits, <c>.</c>, <c>-</c> and <c>_</c>
    /// starting with a letter; each segment letters, digits (any script, in Unicode NFKC form) and
    /// <see cref="SegmentPunctuation"/>, never only dots. So percent-encoding (<c>%2e%2e</c>), backslashes,
    /// wildcards, whitespace, control, bidi and invisible characters (U+202E, U+200B) and lookalikes that
    /// normalize to something else (<c>．．</c>, <c>‥</c>) are all refused, and a segment such as <c>..</c>
    /// can never reach a resource nobody approved.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ResourceScope? scope, [NotNullWhen(false)] out string? error)
    {
        scope = null;
        error = Problem(text);
        if (error is not null)
        {
            return false;
        }

        var colon = text!.IndexOf(':');
        scope = new ResourceScope(text[..colon], text[(colon + 1)..]);
        return true;
    }

    private static string? Problem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "Scope is required, as Workload:resource (for example Exchange:mailbox/ana@contoso.com).";
        }

        if (text.Length > MaxLength)
        {
            return $"Scope must be at most {MaxLength} characters.";
        }

        if (TextRules.FirstHiddenCharacter(text) is { } hidden)
        {
            return $"The scope must not contain invisible, direction-changing or control characters (it holds {hidden}).";
        }

        if (text.Contains('%'))
        {
            return "The scope must be written out, not percent-encoded ('%').";
        }

        if (text.Contains('\\'))
        {
            return "The scope must not contain a backslash; segments are separated by '/'.";
        }

        if (!text.IsNormalized(NormalizationForm.FormKC))
        {
            return $"The scope must be in Unicode normal form: it holds lookalike characters (written plainly, it is '{text.Normalize(NormalizationForm.FormKC)}').";
        }

        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return "Scope must be written Workload:resource (for example Exchange:mailbox/ana@contoso.com).";
        }

        if (!WorkloadPattern().IsMatch(text[..colon]))
        {
            return "The workload must start with a letter and hold only letters, digits, '.', '-' or '_' (for example Exchange).";
        }

        foreach (var segment in text[(colon + 1)..].Split('/'))
        {
            if (segment.Length == 0 || segment.All(c => c == '.'))
            {
                return "The resource must not contain empty, '.' or '..' path segments.";
            }

            if (segment.FirstOrDefault(c => !IsSegmentCharacter(c)) is var bad && bad != default)
            {
                return char.IsWhiteSpace(bad)
                    ? "The resource must not contain spaces."
                    : $"The resource may hold letters, digits and {string.Join(" ", SegmentPunctuation.ToCharArray())} between '/' separators; '{bad}' is not allowed.";
            }
        }

        return null;
    }

    private static bool IsSegmentCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || SegmentPunctuation.Contains(c)
        || (c > 0x7F && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);

    /// <summary>True when access granted to this scope extends to <paramref name="wanted"/>.</summary>
    public bool Covers(ResourceScope wanted) =>
        string.Equals(Workload, wanted.Workload, StringComparison.Ordinal)
        && (string.Equals(Resource, wanted.Resource, StringComparison.Ordinal)
            || wanted.Resource.StartsWith(Resource + "/", StringComparison.Ordinal));

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex WorkloadPattern();
}
