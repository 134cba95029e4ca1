"""Multilingual posts for the fixture sites: recruitment lures and ordinary posts, written for these tests.

Every lure carries the signs analysts look for (a far-away town, a high salary in dollars, free travel,
"no experience", a Telegram or WhatsApp contact); ordinary posts are everyday notices and honest jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "zh", "th", "vi", "id", "my", "km", "ko", "tl")

LURES: dict[str, tuple[str, str]] = {
    "en": (
        "URGENT HIRING: customer service (English speakers)\nLocation: {town}\n"
        "Salary {salary} USD/month + commission, free flight and visa\nNo experience needed, age 18-35\n"
        "Telegram @{handle}",
        "Data entry and typing job abroad\nEasy computer work, 12-hour shifts, food and dorm included\n"
        "Monthly pay {salary} USD, travel paid by the company\nWhatsApp +{phone}",
    ),
    "zh": (
        "高薪诚聘 客服专员\n工作地点：{town}\n月薪 {salary} 美金起，包吃包住，公司报销机票\n无需经验，会打字即可\n联系飞机 @{handle}",
        "海外打字员 轻松高薪\n只要会用电脑和手机，{town}园区直招\n底薪 {salary}U 加提成\nWhatsApp：+{phone}",
    ),
    "th": (
        "รับสมัครด่วน! งานแอดมินออนไลน์ ต่างประเทศ\nประจำที่ {town}\nเงินเดือน {salary} ดอลลาร์ ที่พักฟรี อาหารฟรี\n"
        "ไม่ต้องมีประสบการณ์\nติดต่อเทเลแกรม @{handle}",
        "งานคีย์ข้อมูล รายได้ดี {salary} USD ต่อเดือน\nทำงานที่ {town} บริษัทออกค่าตั๋วเครื่องบินให้ก่อน\nWhatsApp +{phone}",
    ),
    "vi": (
        "Tuyển gấp nhân viên chăm sóc khách hàng tại {town}\nLương {salary} USD/tháng, bao ăn ở, hỗ trợ vé máy bay\n"
        "Không cần kinh nghiệm, chỉ cần biết đánh máy\nLiên hệ Telegram @{handle}",
        "Việc làm nhẹ nhàng lương cao ở nước ngoài\nNhập liệu máy tính tại {town}, làm 12 tiếng mỗi ngày\n"
        "Thu nhập {salary} USD, WhatsApp +{phone}",
    ),
    "id": (
        "Lowongan kerja luar negeri: admin customer service di {town}\nGaji {salary} USD per bulan, mess dan makan gratis\n"
        "Tiket pesawat ditanggung perusahaan\nHubungi Telegram @{handle}",
        "Dicari operator input data, cukup bahasa Inggris dasar\nPenempatan {town}, gaji {salary} USD\n"
        "Proses cepat, paspor dibantu. WhatsApp +{phone}",
    ),
    "my": (
        "အလုပ်ခေါ်နေပါသည်။ ဖုန်းဖြင့် customer service အလုပ်\nနေရာ - {town}\nလစာ {salary} ဒေါ်လာ၊ စားစရာနေစရာ အခမဲ့\n"
        "အတွေ့အကြုံမလိုပါ\nTelegram @{handle} သို့ ဆက်သွယ်ပါ",
        "နိုင်ငံခြားတွင် ကွန်ပျူတာ စာရိုက်အလုပ် လစာကောင်း\nနေရာ - {town}\nလစာ {salary} ဒေါ်လာ၊ လေယာဉ်လက်မှတ် ကုမ္ပဏီမှ ပေးမည်\n"
        "WhatsApp +{phone}",
    ),
    "km": (
        "ត្រូវការបុគ្គលិកផ្នែកបម្រើអតិថិជនបន្ទាន់ នៅ {town}\nប្រាក់ខែ {salary} ដុល្លារ មានកន្លែងស្នាក់នៅ និងអាហារ\n"
        "មិនត្រូវការបទពិសោធន៍\nទាក់ទង Telegram @{handle}",
        "ការងារវាយអក្សរលើកុំព្យូទ័រ ប្រាក់ខែខ្ពស់ {salary} ដុល្លារ\nធ្វើការនៅ {town} ក្រុមហ៊ុនចេញថ្លៃសំបុត្រយន្តហោះ\nWhatsApp +{phone}",
    ),
    "ko": (
        "해외 고수익 알바 모집: 고객상담 업무\n근무지: {town}\n월급 {salary} 달러 이상, 숙식 제공, 항공권 지원\n"
        "경험 무관, 여권만 있으면 가능\n텔레그램 @{handle}",
        "동남아 사무직 타자 업무 급구\n근무지 {town}, 월 {salary} USD 와 인센티브\n문의 WhatsApp +{phone}",
    ),
    "tl": (
        "HIRING AGAD: customer service sa {town}\nSahod {salary} USD kada buwan, libreng tirahan at pagkain\n"
        "Sagot ng kompanya ang ticket at visa\nWalang experience? Okay lang!\nMessage sa Telegram @{handle}",
        "Trabaho abroad: typist at encoder, madaling trabaho\nSa {town}, sahod {salary} USD at may commission pa\n"
        "WhatsApp +{phone}",
    ),
}

ORDINARY: dict[str, tuple[str, ...]] = {
    "en": (
        "Bus timetable change: the Phnom Penh to Kampot morning bus now leaves at 7:30.",
        "A cafe on Street 240 is looking for a part-time barista.\nWalk in with your CV, Monday to Friday.",
    ),
    "zh": ("今天金边汇率：1美元兑换4080瑞尔。", "周末湄公河边有龙舟赛，欢迎大家带家人来看。"),
    "th": ("ประกาศ: ตลาดนัดวันเสาร์ย้ายไปที่ลานจอดรถด้านหลังวัด", "ร้านกาแฟหน้ามหาวิทยาลัยรับพนักงานพาร์ทไทม์\nสมัครที่ร้านได้เลย"),
    "vi": (
        "Thời tiết cuối tuần: có mưa rào vào buổi chiều, nhớ mang áo mưa.",
        "Quán phở đầu hẻm tuyển phụ bếp, làm ca sáng, trả lương theo giờ.",
    ),
    "id": (
        "Info: jadwal kapal ke Batam berubah mulai Senin depan.",
        "Toko roti kami mencari kasir paruh waktu.\nDatang langsung dan bawa CV.",
    ),
    "my": ("ယနေ့ ရန်ကုန်တွင် မိုးရွာနိုင်ပါသည်။ ထီးယူသွားပါ။",),
    "km": ("ផ្សារថ្មីនឹងបិទនៅថ្ងៃអាទិត្យនេះ ដើម្បីសម្អាត។",),
    "ko": ("이번 주말 프놈펜 한인회 바자회가 열립니다. 많은 참여 바랍니다.",),
    "tl": ("Paalala: sarado ang embahada sa Lunes dahil sa holiday.",),
}

TOWNS = (
    "Sihanoukville",
    "Bavet",
    "Poipet",
    "Myawaddy",
    "Tachileik",
    "Golden Triangle SEZ, Bokeo",
    "Pasay City",
    "Phnom Penh",
)
HANDLES = ("hr_fastjob", "kk_recruit88", "asia_cs_team", "visa_free_work", "mekong_hr", "admin_jobs_now")
PHONES = ("85512345678", "66812345670", "856201234567", "639171234567", "84901234567")


@dataclass(frozen=True)
class Post:
    """One post of the fixture corpus; ``lure`` says whether it is a recruitment lure."""

    number: int
    language: str
    text: str
    lure: bool

    @property
    def title(self) -> str:
        return self.text.splitlines()[0]


def post(number: int) -> Post:
    """The ``number``-th post of the corpus: two lures, then one ordinary post, across all languages."""
    language = LANGUAGES[(number + number // len(LANGUAGES)) % len(LANGUAGES)]
    if number % 3 == 2:
        options = ORDINARY[language]
        return Post(number, language, options[(number // len(LANGUAGES)) % len(options)], lure=False)
    template = LURES[language][(number // len(LANGUAGES)) % 2]
    text = template.format(
        town=TOWNS[number % len(TOWNS)],
        salary=800 + 50 * (number % 17),
        handle=f"{HANDLES[number % len(HANDLES)]}{number}",
        phone=PHONES[number % len(PHONES)],
    )
    return Post(number, language, text, lure=True)


def posts(count: int) -> list[Post]:
    return [post(n) for n in range(count)]
