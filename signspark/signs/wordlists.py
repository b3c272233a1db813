"""Small built-in word lists: common words, names, places and numbers.

The synthetic fingerspelling corpus (:mod:`signspark.data.corpus`) draws its words from them,
and fingerspelling practice (:mod:`signspark.signs.practice`) its exercises. English serves
ASL and BSL, German DGS, Chinese (characters) CSL. Numbers appear as digits so the digit
handshapes are covered.
"""

from __future__ import annotations

__all__ = ["WORDS", "words"]

_EN = """
the be to of and a in that have it for not on with he as you do at this but his by from they we say her she
or an will my one all would there their what so up out if about who get which go me when make can like time no
just him know take people into year your good some could them see other than then now look only come its over
think also back after use two how our work first well way even new want because any these give day most us
name home family friend school water food house city world book music love help hand sign word deaf hearing
teacher student doctor nurse police mother father sister brother baby child girl boy man woman morning night
today tomorrow yesterday week month monday friday sunday summer winter spring autumn rain snow sun moon star
red blue green yellow black white orange purple brown pink happy sad tired hungry thirsty sick fine great
hello thanks please sorry welcome goodbye yes maybe okay coffee tea milk bread apple banana pizza cake soup rice
car bus train plane bike road street park shop bank office hotel airport station hospital library museum
computer phone email video photo movie game sport football tennis swim dance sing read write learn play
open close start stop walk run sit stand sleep eat drink cook clean wash buy sell pay call wait meet
big small long short hot cold old young fast slow easy hard early late near far left right next last
question answer problem idea story news job money price party birthday holiday trip visit hotel room door window
table chair bed kitchen garden tree flower dog cat bird fish horse cow sheep lion tiger zebra jazz quiz fox
box kiss puzzle jump jelly jeans juice joke zoo zero lazy fizzy quick quiet queen quilt squid yak yoga
anna ben carlos diana emma frank grace henry ivan julia kevin laura maria nick olivia paul quinn rosa sam
tom uma victor wendy xavier yusuf zoe james sarah david lucy peter mary john alex chris kate mike lisa
london paris berlin boston texas chicago seattle denver dallas miami ohio york wales scotland ireland leeds
manchester bristol oxford cambridge glasgow dublin canada mexico japan china india brazil egypt kenya
ok hi bye uk usa nhs bbc fbi tv dvd pc atm asap diy
1 2 3 4 5 6 7 8 9 10 12 15 20 21 25 30 42 50 99 100 123 365 911 1000 2020 2024 2025 007 0800
"""

_DE = """
der die das und ist ich du er sie es wir ihr nicht ein eine mit auf für von zu im am aus bei nach vor über
haus hund katze kind mutter vater schwester bruder oma opa familie freund freundin schule lehrer schüler
arzt ärztin polizei wasser brot milch käse apfel birne kaffee tee suppe kuchen fleisch fisch gemüse obst
straße fuß groß weiß heiß süß gruß spaß maß fußball schloss schluss schnell schön schwarz schlafen schreiben
schuh schrank schnee schiff schwimmen tisch fisch mensch deutsch englisch tasche flasche wäsche dusche
äpfel bär käfer mädchen märz träumen ärger öl österreich öffnen schön möbel hölle löwe müde über tür für
grün früh brücke glück küche müll zürich münchen düsseldorf köln nürnberg lübeck göttingen würzburg
berlin hamburg bremen dresden leipzig bonn kiel mainz essen jena ulm trier fulda erfurt wien bern zug
montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar april mai juni juli august
september oktober november dezember frühling sommer herbst winter morgen abend nacht heute gestern
rot blau gelb grün orange lila braun rosa grau gut schlecht alt neu jung klein lang kurz warm kalt
hallo danke bitte tschüss ja nein vielleicht entschuldigung willkommen guten tag liebe gebärde sprache
taub gehörlos hören sehen sprechen lernen spielen lesen essen trinken kochen kaufen zahlen warten gehen
auto bus bahn zug flugzeug fahrrad stadt dorf land wald berg see meer fluss garten baum blume vogel pferd
kuh schaf maus zebra zoo quiz quark quelle qualität yoga jacke jahr joghurt jäger juni zucker zeit zahn
anna ben clara david emil frieda greta hans ida jonas karl lena max nina otto paul quirin rosa sophie
tim ute valentin wilhelm xaver yvonne zoe jürgen jörg björn sören käthe günter müller schmidt schneider
fischer weber meyer wagner becker schulz hoffmann schäfer koch bauer richter klein wolf schröder neumann
computer handy telefon film musik buch zeitung brief post bank arzt apotheke bahnhof flughafen hotel
1 2 3 4 5 6 7 8 9 10 11 12 20 24 50 99 100 112 2024 2025 0049
"""

_ZH = """
你好 谢谢 再见 对不起 没关系 欢迎 请 是 不是 好 我 你 他 她 我们 你们 他们 朋友 家 家人 妈妈 爸爸 哥哥 姐姐
弟弟 妹妹 爷爷 奶奶 孩子 老师 学生 学校 医生 医院 警察 工作 公司 电脑 手机 电话 电视 电影 音乐 书 报纸
中国 北京 上海 广州 深圳 天津 重庆 南京 杭州 武汉 成都 西安 长沙 长城 长江 黄河 台湾 香港 澳门 山东
手语 聋人 听人 翻译 语言 汉字 拼音 字母 名字 生日 今天 明天 昨天 早上 中午 晚上 星期 月 年 时间 现在
吃饭 喝水 睡觉 工作 学习 看书 写字 说话 唱歌 跳舞 游泳 跑步 走路 开车 坐车 买东西 做饭 洗澡 休息 上班
米饭 面条 饺子 包子 馒头 鸡蛋 牛奶 茶 咖啡 水果 苹果 香蕉 西瓜 葡萄 橘子 鱼 肉 菜 汤 糖 盐
红色 黄色 蓝色 绿色 白色 黑色 大 小 多 少 高 矮 长 短 新 旧 快 慢 冷 热 好吃 漂亮 高兴 生气 累 饿 渴
春天 夏天 秋天 冬天 下雨 下雪 太阳 月亮 星星 天气 风 云 山 水 河 海 树 花 草 猫 狗 鸟 马 牛 羊 猪 熊猫
火车 飞机 汽车 自行车 地铁 公交车 机场 车站 银行 商店 超市 饭店 宾馆 公园 图书馆 博物馆 厕所 房间 门 窗
张伟 王芳 李娜 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴倩 徐明 孙丽 马强 朱红 胡军 郭涛 何平 林峰 高翔 罗琳
郑爽 梁超 谢娜 宋佳 唐宁 韩雪 冯刚 曹操 邓超 许晴 张三 李四 王五 小明 小红 小龙
医生 护士 工人 农民 司机 厨师 律师 记者 作家 画家 运动员 经理 老板 服务员
足球 篮球 乒乓球 游戏 比赛 音乐会 照片 视频 问题 答案 东西 事情 帮助 希望 喜欢 爱 想 知道 认识 明白
中文 英文 数学 历史 地理 科学 考试 作业 教室 黑板 桌子 椅子 衣服 鞋子 帽子 眼镜 钱 价格
一 二 三 四 五 六 七 八 九 十 一百 一千 一万 第一 2024 2025 10 99 100 12 8 6
"""


def _split(block: str) -> list[str]:
    seen: dict[str, None] = {}
    for w in block.split():
        seen.setdefault(w, None)
    return list(seen)


WORDS: dict[str, list[str]] = {"en": _split(_EN), "de": _split(_DE), "zh": _split(_ZH)}


def words(language: str) -> list[str]:
    """The built-in word list for a sign language's spoken language (``ASL``/``BSL`` -> English, ...)."""
    from signspark.signs.languages import get_language

    return list(WORDS[get_language(language).spoken])
