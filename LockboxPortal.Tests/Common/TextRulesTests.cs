using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Tests.Common;

/// <summary>Finding 8: names refuse bidi-override and zero-width characters; free text shows them escaped.</summary>
public sealed class TextRulesTests
{
    [Theory]
    [InlineData("Ana\u202EnaM", "\\u202E")]
    [InlineData("Ana\u200BApprover", "\\u200B")]
    [InlineData("\u2066Ana\u2069", "\\u2066")]
    [InlineData("Ana\uFEFF", "\\uFEFF")]
    [InlineData("Ana\u3164", "\\u3164")]
    [InlineData("Ana\u0007", "\\u0007")]
    [InlineData("Ana\U000E0041", "\\U000E0041")]
    public void HiddenCharacters_AreFound_AndNamed(string text, string named)
    {
        Assert.Equal(named, TextRules.FirstHiddenCharacter(text));
    }

    [Theory]
    [InlineData("Ana Approver")]
    [InlineData("Zoë Ørsted-Łukasz")]
    [InlineData("李小龍")]
    [InlineData("Ana \ud83d\ude00")]
    public void OrdinaryNames_HaveNoHiddenCharacter(string text)
    {
        Assert.Null(TextRules.FirstHiddenCharacter(text));
        Assert.Equal(text, Tenant.CleanName(text));
        Assert.Equal(text, InvitationService.CleanDisplayName(text));
    }

    [Theory]
    [InlineData("Contoso\u202E")]
    [InlineData("Con\u200Btoso")]
    [InlineData("Contoso\u2067")]
    public void Names_WithBidiOrZeroWidthCharacters_AreRefused(string name)
    {
        Assert.Null(Tenant.CleanName(name));
        Assert.Null(InvitationService.CleanDisplayName(name));
    }

    [Fact]
    public void ShowHidden_EscapesWhatIsHidden_AndKeepsLineBreaks()
    {
        Assert.Equal("a\\u202Eb\\u200Bc\nd\te", TextRules.ShowHidden("a\u202Eb\u200Bc\nd\te"));
        Assert.Equal("x\\uD800y", TextRules.ShowHidden("x" + (char)0xD800 + "y"));
        Assert.Equal("plain", TextRules.ShowHidden("plain"));
    }
}
