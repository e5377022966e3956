// Phrase lists for the cue generator: fourteen short everyday lines per language, written for this
// project (film-dialogue register, so the shapes of real subtitles: questions, exclamations,
// Arabic joining, Devanagari conjuncts, Thai stacked vowels and tone marks).

enum PhraseBook {
    static func phrases(for language: SubtitleLanguage) -> [String] {
        switch language {
        case .zh: return chinese
        case .en: return english
        case .ja: return japanese
        case .ko: return korean
        case .fr: return french
        case .de: return german
        case .ru: return russian
        case .ar: return arabic
        case .hi: return hindi
        case .th: return thai
        }
    }

    static let english = [
        "Where are you going?", "I'll be right back.", "We need to talk.", "Did you hear that?",
        "It's getting late.", "Let's go home.", "I don't believe you.", "Thank you for coming.",
        "Be careful out there.", "What time is it?", "Nobody saw anything.", "Wait for me!",
        "The train leaves at six.", "I have a bad feeling about this.",
    ]

    static let chinese = [
        "你要去哪里？", "我马上回来。", "我们需要谈谈。", "你听到了吗？", "天色已经晚了。", "我们回家吧。",
        "我不相信你。", "谢谢你能来。", "外面小心点。", "现在几点了？", "没有人看见。", "等等我！",
        "火车六点出发。", "我对这件事有不好的预感。",
    ]

    static let japanese = [
        "どこへ行くの？", "すぐに戻ります。", "話があるんだ。", "今の聞こえた？", "もう遅いよ。", "家に帰ろう。",
        "信じられない。", "来てくれてありがとう。", "気をつけてね。", "今何時ですか？", "誰も見ていなかった。",
        "待って！", "電車は六時に出ます。", "嫌な予感がする。",
    ]

    static let korean = [
        "어디 가는 거야?", "금방 돌아올게.", "우리 얘기 좀 해.", "방금 그거 들었어?", "벌써 늦었어.", "집에 가자.",
        "난 너를 못 믿겠어.", "와 줘서 고마워.", "조심해.", "지금 몇 시예요?", "아무도 못 봤어.", "기다려!",
        "기차는 여섯 시에 떠나요.", "예감이 안 좋아.",
    ]

    static let french = [
        "Où est-ce que tu vas ?", "Je reviens tout de suite.", "Il faut qu'on parle.", "Tu as entendu ça ?",
        "Il se fait tard.", "Rentrons à la maison.", "Je ne te crois pas.", "Merci d'être venu.",
        "Fais attention à toi.", "Quelle heure est-il ?", "Personne n'a rien vu.", "Attends-moi !",
        "Le train part à six heures.", "J'ai un mauvais pressentiment.",
    ]

    static let german = [
        "Wohin gehst du?", "Ich bin gleich zurück.", "Wir müssen reden.", "Hast du das gehört?",
        "Es wird spät.", "Lass uns nach Hause gehen.", "Ich glaube dir nicht.", "Danke, dass du gekommen bist.",
        "Pass gut auf dich auf.", "Wie spät ist es?", "Niemand hat etwas gesehen.", "Warte auf mich!",
        "Der Zug fährt um sechs Uhr ab.", "Ich habe ein ungutes Gefühl.",
    ]

    static let russian = [
        "Куда ты идёшь?", "Я скоро вернусь.", "Нам нужно поговорить.", "Ты это слышал?", "Уже поздно.",
        "Пойдём домой.", "Я тебе не верю.", "Спасибо, что пришёл.", "Будь осторожен.", "Который час?",
        "Никто ничего не видел.", "Подожди меня!", "Поезд уходит в шесть.", "У меня плохое предчувствие.",
    ]

    static let arabic = [
        "إلى أين أنت ذاهب؟", "سأعود حالاً.", "يجب أن نتحدث.", "هل سمعت ذلك؟", "لقد تأخر الوقت.",
        "لنعد إلى البيت.", "أنا لا أصدقك.", "شكراً لحضورك.", "كن حذراً.", "كم الساعة الآن؟",
        "لم يرَ أحد شيئاً.", "انتظرني!", "يغادر القطار في السادسة.", "لدي شعور سيئ حيال هذا.",
    ]

    static let hindi = [
        "तुम कहाँ जा रहे हो?", "मैं अभी वापस आता हूँ।", "हमें बात करनी चाहिए।", "क्या तुमने वह सुना?",
        "बहुत देर हो गई है।", "चलो घर चलते हैं।", "मुझे तुम पर विश्वास नहीं है।", "आने के लिए धन्यवाद।",
        "ध्यान रखना।", "अभी क्या समय हुआ है?", "किसी ने कुछ नहीं देखा।", "मेरा इंतज़ार करो!",
        "ट्रेन छह बजे निकलती है।", "मुझे कुछ ठीक नहीं लग रहा।",
    ]

    static let thai = [
        "คุณจะไปไหน", "เดี๋ยวฉันกลับมา", "เราต้องคุยกัน", "คุณได้ยินไหม", "ดึกแล้วนะ", "กลับบ้านกันเถอะ",
        "ฉันไม่เชื่อคุณ", "ขอบคุณที่มานะ", "ระวังตัวด้วย", "ตอนนี้กี่โมงแล้ว", "ไม่มีใครเห็นอะไรเลย", "รอฉันด้วย",
        "รถไฟออกตอนหกโมง", "ฉันรู้สึกไม่ดีเลย",
    ]
}
